// IPv4 arithmetic for the few things dnsmasq and nftables need from a network's CIDR.

export interface ParsedCidr {
  /** The network address (host bits cleared), e.g. 10.0.1.0 for 10.0.1.7/24. */
  network: string;
  prefix: number;
  /** Dotted netmask, e.g. 255.255.255.0. */
  netmask: string;
}

export function ipToNumber(ip: string): number {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    throw new Error(`not an IPv4 address: ${JSON.stringify(ip)}`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Prefixes outside 8–30 leave no room for a gateway and guests (or are not a private network). */
export function parseCidr(cidr: string): ParsedCidr {
  const [ip, bits, ...rest] = cidr.split("/");
  const prefix = Number(bits);
  if (!ip || rest.length || !/^\d{1,2}$/.test(bits ?? "") || prefix < 8 || prefix > 30)
    throw new Error(`not a usable IPv4 network: ${JSON.stringify(cidr)}`);
  const size = 2 ** (32 - prefix);
  const network = ipToNumber(ip) - (ipToNumber(ip) % size);
  return { network: numberToIp(network), prefix, netmask: numberToIp(2 ** 32 - size) };
}

export function isInCidr(ip: string, cidr: ParsedCidr): boolean {
  const size = 2 ** (32 - cidr.prefix);
  const base = ipToNumber(cidr.network);
  const n = ipToNumber(ip);
  return n >= base && n < base + size;
}

/** `a.b.c.d/n` with any prefix (0–32) as nftables wants it: the network address, host bits cleared. */
export function normalizeCidr(cidr: string): string {
  const [ip, bits, ...rest] = cidr.split("/");
  const prefix = Number(bits);
  if (!ip || rest.length || !/^\d{1,2}$/.test(bits ?? "") || prefix > 32)
    throw new Error(`not an IPv4 CIDR: ${JSON.stringify(cidr)}`);
  const size = 2 ** (32 - prefix);
  return `${numberToIp(ipToNumber(ip) - (ipToNumber(ip) % size))}/${prefix}`;
}
