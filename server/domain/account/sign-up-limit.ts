// Self sign-up creates accounts for strangers, so it is limited before any work is done (hashing a password,
// touching MariaDB): per client address, and for the whole portal, per window. A flood from one address
// stops after a few accounts; a flood from many addresses stops at the portal-wide cap.
import type { Redis } from "ioredis";
import { msg } from "@/common/message";
import { DomainError } from "../errors";

export interface SignUpLimits {
  perAddress: number;
  perPortal: number;
  windowSeconds: number;
}

export const SIGN_UP_LIMITS: SignUpLimits = { perAddress: 5, perPortal: 100, windowSeconds: 3600 };

export const signUpAddressKey = (prefix: string, ip: string | null) =>
  `${prefix}:signup:addr:${ip ?? "none"}`;
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

/** Takes one sign-up slot for this address, or throws RATE_LIMITED (counted whether or not it succeeds). */
export async function reserveSignUp(
  redis: Redis,
  prefix: string,
  ip: string | null,
  limits: SignUpLimits = SIGN_UP_LIMITS,
): Promise<void> {
  const wait = Number(
    await redis.eval(
      RESERVE,
      2,
      signUpAddressKey(prefix, ip),
      signUpPortalKey(prefix),
      limits.perAddress,
      limits.perPortal,
      limits.windowSeconds,
    ),
  );
  if (wait !== 0)
    throw new DomainError(
      "RATE_LIMITED",
      msg("accounts.tooManySignUps", { minutes: Math.max(1, Math.ceil(wait / 60)) }),
    );
}
