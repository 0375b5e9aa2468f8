import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { DomainError } from "../errors";
import { msg } from "@/common/message";

export interface LoginLimits {
  prefix: string;
  /** Password checks per account name per window, from browsers not known for that account. */
  maxPerAccount: number;
  /** Failed sign-ins per address per window (browsers known for the account excepted). */
  maxPerAddress: number;
  windowSeconds: number;
  /** Failures from one address before each further attempt from it waits (1 s, 2 s, 4 s … up to maxDelaySeconds). */
  delayAfterFailures: number;
  maxDelaySeconds: number;
  /** How long a browser that signed in to an account stays known for it. */
  knownDeviceSeconds: number;
}

/** Where an attempt comes from: the client address and the browser's device token (a cookie), if any. */
export interface AttemptSource {
  ip: string | null;
  device: string | null;
}

// Keyed by the *submitted* name, whether or not such an account exists, so the limiter itself
// never reveals which accounts are real. Device tokens are stored hashed: whoever reads Redis
// learns nothing that lets them skip a lock.
const accountKey = (l: Pick<LoginLimits, "prefix">, username: string) => `${l.prefix}:login:acct:${username}`;
const deviceCountKey = (l: LoginLimits, username: string, device: string) =>
  `${l.prefix}:login:acct:${username}:dev:${device}`;
const knownDevicesKey = (l: LoginLimits, username: string) => `${l.prefix}:login:known:${username}`;
const addressKey = (l: LoginLimits, ip: string) => `${l.prefix}:login:addr:${ip}`;
const hashDevice = (device: string) => createHash("sha256").update(device).digest("hex").slice(0, 32);

// One atomic step per attempt, before any password is checked: refuse while the address must wait or
// is at its limit, or the counter (the account's, or this known browser's for the account) is full;
// otherwise take a slot in each. Concurrent attempts therefore cannot all pass a check that only
// counts afterwards. KEYS: counter, address hash. ARGV: maxCount, maxAddress, window, nowMs, useAddress.
// Returns 0 (slot taken), -seconds (the address must wait) or the seconds left of a lock's window.
const RESERVE = `
local now = tonumber(ARGV[4])
if ARGV[5] == '1' then
  local n = tonumber(redis.call('HGET', KEYS[2], 'n') or '0')
  local nxt = tonumber(redis.call('HGET', KEYS[2], 'next') or '0')
  if nxt > now then return -math.ceil((nxt - now) / 1000) end
  if n >= tonumber(ARGV[2]) then return math.max(redis.call('TTL', KEYS[2]), 1) end
end
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c >= tonumber(ARGV[1]) then return math.max(redis.call('TTL', KEYS[1]), 1) end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3], 'NX')
if ARGV[5] == '1' then
  redis.call('HINCRBY', KEYS[2], 'n', 1)
  redis.call('EXPIRE', KEYS[2], ARGV[3], 'NX')
end
return 0
`;

// After a wrong password: the address's next attempt waits, doubling with each failure past the
// free ones. The slots taken by RESERVE already count this failure. ARGV: delayAfter, maxDelay, nowMs.
const DELAY = `
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local free = tonumber(ARGV[1])
if n > free then
  local d = math.min(2 ^ (n - free - 1), tonumber(ARGV[2]))
  redis.call('HSET', KEYS[1], 'next', tonumber(ARGV[3]) + d * 1000)
end
return n
`;

// The right password gives the address its slot back (never below zero, never a key without expiry).
const REFUND = `
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n > 0 then redis.call('HINCRBY', KEYS[1], 'n', -1) end
return 0
`;

export interface LoginSlot {
  /** Whether the browser is known for the account: it skipped the address limits and the account lock. */
  knownDevice: boolean;
}

function tooManyAttempts(answer: number): DomainError {
  // A delay is short and told in seconds; a lock lasts the rest of its window, told in minutes.
  return new DomainError(
    "RATE_LIMITED",
    answer < 0
      ? msg("auth.tooManyAttemptsSeconds", { seconds: -answer })
      : msg("auth.tooManyAttempts", { minutes: Math.max(1, Math.ceil(answer / 60)) }),
  );
}

async function isKnownDevice(
  redis: Redis,
  l: LoginLimits,
  username: string,
  device: string,
): Promise<boolean> {
  const expires = await redis.zscore(knownDevicesKey(l, username), hashDevice(device));
  return expires !== null && Number(expires) > Date.now();
}

/**
 * Takes a slot for one password check, or throws RATE_LIMITED. A browser that signed in to this account
 * before (its device token is known) is counted on its own: an attacker elsewhere can lock the account
 * name, and fill an address, but not the real user's own browser.
 */
export async function reserveLoginAttempt(
  redis: Redis,
  l: LoginLimits,
  username: string,
  from: AttemptSource,
): Promise<LoginSlot> {
  const knownDevice = from.device ? await isKnownDevice(redis, l, username, from.device) : false;
  const counter =
    knownDevice && from.device
      ? deviceCountKey(l, username, hashDevice(from.device))
      : accountKey(l, username);
  const useAddress = !knownDevice && from.ip !== null;
  const address = from.ip !== null ? addressKey(l, from.ip) : counter;
  const wait = Number(
    await redis.eval(
      RESERVE,
      2,
      counter,
      address,
      l.maxPerAccount,
      l.maxPerAddress,
      l.windowSeconds,
      Date.now(),
      useAddress ? "1" : "0",
    ),
  );
  if (wait !== 0) throw tooManyAttempts(wait);
  return { knownDevice };
}

/** A wrong password (or unknown or disabled account): its slots stay taken and the address slows down. */
export async function recordLoginFailure(
  redis: Redis,
  l: LoginLimits,
  slot: LoginSlot,
  from: AttemptSource,
): Promise<void> {
  if (slot.knownDevice || from.ip === null) return;
  await redis.eval(DELAY, 1, addressKey(l, from.ip), l.delayAfterFailures, l.maxDelaySeconds, Date.now());
}

/**
 * The right password: the account's lock is lifted (the user proved they are who the name says), the
 * address gets its slot back, and the browser becomes known for the account.
 */
export async function recordLoginSuccess(
  redis: Redis,
  l: LoginLimits,
  username: string,
  slot: LoginSlot,
  from: AttemptSource,
): Promise<void> {
  const m = redis.multi().del(accountKey(l, username));
  if (!slot.knownDevice && from.ip !== null) m.eval(REFUND, 1, addressKey(l, from.ip));
  if (from.device) {
    const h = hashDevice(from.device);
    const known = knownDevicesKey(l, username);
    const now = Date.now();
    m.del(deviceCountKey(l, username, h))
      .zadd(known, now + l.knownDeviceSeconds * 1000, h)
      .zremrangebyscore(known, "-inf", now)
      // A shared classroom computer signs in to many accounts; one account needs only its recent browsers.
      .zremrangebyrank(known, 0, -33)
      .expire(known, l.knownDeviceSeconds);
  }
  await m.exec();
}

/** An administrator lifts an account's lock (every browser); addresses keep their own limits. */
export async function clearAccountLock(redis: Redis, prefix: string, username: string): Promise<void> {
  await redis.del(accountKey({ prefix }, username));
}
