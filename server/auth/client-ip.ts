import { BlockList, isIP } from "node:net";

/** Set by server/main.ts from the socket (or X-Forwarded-For behind a trusted proxy); clients cannot forge it. */
export const CLIENT_IP_HEADER = "x-educloud-client-ip";

type HeaderBag = Headers | Record<string, string | string[] | undefined> | undefined;

export function readClientIp(headers: HeaderBag): string | null {
  if (!headers) return null;
  const v = headers instanceof Headers ? headers.get(CLIENT_IP_HEADER) : headers[CLIENT_IP_HEADER];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.length <= 45 ? s : null;
}

/**
 * Which proxies in front of the portal are believed. Each proxy appends the address it was reached
 * from to X-Forwarded-For, so only the entries on the right, written by our own proxies, are true;
 * anything to their left is whatever the client sent.
 *  - none:      X-Forwarded-For is ignored; the socket's peer is the client.
 *  - hops:      that many proxies stand in front; the client is that many entries from the right.
 *  - addresses: the socket peer and right-hand entries are skipped while they are one of these
 *               proxies (addresses or CIDR ranges); the first other address is the client.
 */
export type TrustProxy =
  { kind: "none" } | { kind: "hops"; hops: number } | { kind: "addresses"; proxies: string[] };

/** TRUST_PROXY: false/0/no, true/yes (one proxy), a number of proxies, or a comma-separated list of proxy addresses/CIDRs. */
export function parseTrustProxy(value: string): TrustProxy | { error: string } {
  const v = value.trim().toLowerCase();
  if (["", "false", "no", "0"].includes(v)) return { kind: "none" };
  if (["true", "yes"].includes(v)) return { kind: "hops", hops: 1 };
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops <= 10 ? { kind: "hops", hops } : { error: "at most 10 proxies" };
  }
  const proxies = v.split(",").map((p) => p.trim());
  for (const p of proxies) {
    const [addr, bits, extra] = p.split("/");
    const family = isIP(addr ?? "");
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (!family || !bitsOk || extra !== undefined)
      return { error: `"${p}" is not true/false, a number of proxies or an address/CIDR` };
  }
  return { kind: "addresses", proxies };
}

/** A bare address: IPv4-mapped IPv6 unwrapped, a port some proxies append dropped; null when not an address. */
export function normalizeAddress(raw: string | undefined): string | null {
  let a = (raw ?? "").trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  a = a.replace(/^::ffff:(?=\d{1,3}(\.\d{1,3}){3}$)/i, "");
  return isIP(a) ? a : null;
}

function blockListOf(proxies: string[]): BlockList {
  const list = new BlockList();
  for (const p of proxies) {
    const [addr, bits] = p.split("/") as [string, string | undefined];
    const type = isIP(addr) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

const trustedLists = new WeakMap<TrustProxy, BlockList>();

/**
 * The client's address for a request: the socket's peer, or — behind trusted proxies — the entry of
 * X-Forwarded-For the nearest untrusted hop wrote. Never an entry left of what our proxies appended.
 */
export function clientAddressOf(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: TrustProxy,
): string {
  const peer = normalizeAddress(socketAddress) ?? (socketAddress ?? "").replace(/^::ffff:/, "");
  if (trust.kind === "none" || forwardedFor === undefined) return peer;
  // Several X-Forwarded-For lines are one list, in order.
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (trust.kind === "hops") {
    // Fewer entries than proxies: the request did not come through all of them, so none is believed.
    if (entries.length < trust.hops || trust.hops === 0) return peer;
    return normalizeAddress(entries[entries.length - trust.hops]) ?? peer;
  }
  let list = trustedLists.get(trust);
  if (!list) trustedLists.set(trust, (list = blockListOf(trust.proxies)));
  const isProxy = (a: string) => list.check(a, isIP(a) === 6 ? "ipv6" : "ipv4");
  if (!isProxy(peer)) return peer;
  let client = peer;
  for (let i = entries.length - 1; i >= 0; i--) {
    const a = normalizeAddress(entries[i]);
    // Garbage where a proxy would have written an address: stop at the last address we could believe.
    if (!a) return client;
    client = a;
    if (!isProxy(a)) return a;
  }
  return client;
}
