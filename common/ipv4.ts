// IPv4 arithmetic for IPAM. Pure: addresses as unsigned 32-bit integers, CIDRs checked strictly.
import { msg, type Message } from "./message";

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return null;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export interface Cidr {
  first: number;
  last: number;
  prefix: number;
  /** Canonical text: "10.0.0.0/24". */
  text: string;
}

/** Networks eduCloud carries are /16 to /29: big enough to be useful, small enough to list. */
export const MIN_PREFIX = 16;
export const MAX_PREFIX = 29;

/** Parses "a.b.c.d/n"; null with a reason when it is not a network address of that size. */
export function parseCidr(
  text: string,
): { ok: true; cidr: Cidr } | { ok: false; reason: string; message: Message } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  const addr = m ? parseIpv4(m[1]!) : null;
  if (!m || addr === null)
    return {
      ok: false,
      reason: "Write the network as address/prefix, e.g. 10.20.0.0/24.",
      message: msg("validation.cidrFormat"),
    };
  const prefix = Number(m[2]);
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX)
    return {
      ok: false,
      reason: `The prefix must be from /${MIN_PREFIX} to /${MAX_PREFIX}.`,
      message: msg("validation.cidrPrefix", { min: MIN_PREFIX, max: MAX_PREFIX }),
    };
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0) {
    const base = addr - (addr % size);
    const suggestion = `${formatIpv4(base)}/${prefix}`;
    return {
      ok: false,
      reason: `${text.trim()} is not a network address; did you mean ${suggestion}?`,
      message: msg("validation.cidrNotNetwork", { text: text.trim(), suggestion }),
    };
  }
  return {
    ok: true,
    cidr: { first: addr, last: addr + size - 1, prefix, text: `${formatIpv4(addr)}/${prefix}` },
  };
}

export const rangesOverlap = (a: { first: number; last: number }, b: { first: number; last: number }) =>
  a.first <= b.last && b.first <= a.last;

/** The first aligned block of `size` addresses inside [first, last] that overlaps none of `taken`. */
export function findFreeBlock(
  range: { first: number; last: number },
  size: number,
  taken: { first: number; last: number }[],
): number | null {
  const sorted = [...taken].sort((a, b) => a.first - b.first);
  for (let start = range.first; start + size - 1 <= range.last; start += size) {
    const block = { first: start, last: start + size - 1 };
    if (!sorted.some((t) => rangesOverlap(t, block))) return start;
  }
  return null;
}
