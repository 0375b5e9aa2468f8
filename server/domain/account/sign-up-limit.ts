// Self sign-up creates accounts for strangers, so it is limited before any work is done (hashing a password,
// touching MariaDB): per client address, and for the whole portal, per window. A flood from one address
// stops after a few accounts; a flood from many addresses stops at the portal-wide cap.
import { isIPv4, isIPv6 } from "node:net";
import type { Redis } from "ioredis";
import { msg } from "@/common/message";
import { DomainError } from "../errors";

export interface SignUpLimits {
  perAddress: number;
  perPortal: number;
  windowSeconds: number;
}

export const SIGN_UP_LIMITS: SignUpLimits = { perAddress: 5, perPortal: 100, windowSeconds: 3600 };

/**
 * What the per-address limit counts: an IPv4 address as it is, an IPv6 address by its /64. One IPv6
 * client usually holds a whole /64 (SLAAC, privacy addresses) and can pick any of its 2^64 addresses,
 * so counting single addresses would bound nothing.
 */
export function addressBucketOf(ip: string | null): string {
  if (!ip) return "none";
  const bare = ip.replace(/%.*$/, ""); // a zone (fe80::1%eth0) is not part of the address
  if (!isIPv6(bare)) return bare;
  const groups = expandIPv6(bare);
  // An IPv4-mapped address (::ffff:a.b.c.d) is that IPv4 client.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join(".");
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address ("::" filled in, a dotted IPv4 tail as two groups). */
function expandIPv6(ip: string): number[] {
  let text = ip.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail && isIPv4(tail[1]!)) {
    const [a, b, c, d] = tail[1]!.split(".").map(Number) as [number, number, number, number];
    text = text.slice(0, -tail[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((h) => parseInt(h, 16)));
  const left = parse(head);
  if (rest === undefined) return left;
  const right = parse(rest);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

export const signUpAddressKey = (prefix: string, ip: string | null) =>
  `${prefix}:signup:addr:${addressBucketOf(ip)}`;
export const signUpPortalKey = (prefix: string) => `${prefix}:signup:portal`;

// One atomic step: refuse when either counter is full (answer: seconds until it empties), else count in both.
const RESERVE = `
local a = tonumber(redis.call('GET', KEYS[1]) or '0')
if a >= tonumber(ARGV[1]) then return math.max(redis.call('TTL', KEYS[1]), 1) end
local p = tonumber(redis.call('GET', KEYS[2]) or '0')
if p >= tonumber(ARGV[2]) then return math.max(redis.call('TTL', KEYS[2]), 1) end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3], 'NX')
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3], 'NX')
return 0
`;

/**
 * Takes one slot in both counters (this address's and the portal's) for `windowSeconds`, atomically;
 * returns 0, or the seconds until the full counter empties (nothing counted then). Shared by every
 * open door that is limited this way (sign-up, terminal enrolment).
 */
export async function reserveAddressAndPortalSlot(
  redis: Redis,
  keys: { address: string; portal: string },
  limits: { perAddress: number; perPortal: number; windowSeconds: number },
): Promise<number> {
  return Number(
    await redis.eval(
      RESERVE,
      2,
      keys.address,
      keys.portal,
      limits.perAddress,
      limits.perPortal,
      limits.windowSeconds,
    ),
  );
}

/** Takes one sign-up slot for this address, or throws RATE_LIMITED (counted whether or not it succeeds). */
export async function reserveSignUp(
  redis: Redis,
  prefix: string,
  ip: string | null,
  limits: SignUpLimits = SIGN_UP_LIMITS,
): Promise<void> {
  const wait = await reserveAddressAndPortalSlot(
    redis,
    { address: signUpAddressKey(prefix, ip), portal: signUpPortalKey(prefix) },
    limits,
  );
  if (wait !== 0)
    throw new DomainError(
      "RATE_LIMITED",
      msg("accounts.tooManySignUps", { minutes: Math.max(1, Math.ceil(wait / 60)) }),
    );
}
