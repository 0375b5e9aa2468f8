// Enrolling is open to anyone on the network, so it is limited before any row is written: per client
// address (an IPv6 client by its /64, as sign-up counts) and for the whole portal, per window.
import type { Redis } from "ioredis";
import { msg } from "@/common/message";
import { addressBucketOf } from "../account/sign-up-limit";
import { DomainError } from "../errors";

export interface EnrolLimits {
  perAddress: number;
  perPortal: number;
  windowSeconds: number;
}

/** A lab of 40 PCs behind one NAT address enrols in one go; a flood from many addresses stops at 500. */
export const ENROL_LIMITS: EnrolLimits = { perAddress: 60, perPortal: 500, windowSeconds: 3600 };

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

/** Takes one enrolment slot for this address, or throws RATE_LIMITED. */
export async function reserveEnrolment(
  redis: Redis,
  prefix: string,
  ip: string | null,
  limits: EnrolLimits = ENROL_LIMITS,
): Promise<void> {
  const wait = Number(
    await redis.eval(
      RESERVE,
      2,
      `${prefix}:terminal-enrol:addr:${addressBucketOf(ip)}`,
      `${prefix}:terminal-enrol:portal`,
      limits.perAddress,
      limits.perPortal,
      limits.windowSeconds,
    ),
  );
  if (wait !== 0)
    throw new DomainError(
      "RATE_LIMITED",
      msg("terminals.tooManyEnrolments", { minutes: Math.max(1, Math.ceil(wait / 60)) }),
    );
}
