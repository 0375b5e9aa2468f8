import type { Redis } from "ioredis";
import { DomainError } from "../errors";
import { msg } from "@/common/message";

export interface LoginLimits {
  prefix: string;
  maxPerAccount: number;
  maxPerAddress: number;
  windowSeconds: number;
}

// Keyed by the *submitted* name, whether or not such an account exists, so the limiter itself
// never reveals which accounts are real.
const accountKey = (l: LoginLimits, username: string) => `${l.prefix}:login-fail:acct:${username}`;
const addressKey = (l: LoginLimits, ip: string) => `${l.prefix}:login-fail:ip:${ip}`;

/** Throws RATE_LIMITED while either counter is at its limit. */
export async function assertLoginAllowed(
  redis: Redis,
  l: LoginLimits,
  username: string,
  ip: string | null,
): Promise<void> {
  const keys = [accountKey(l, username), ...(ip ? [addressKey(l, ip)] : [])];
  const values = await redis.mget(...keys);
  const acct = Number(values[0] ?? 0);
  const addr = Number(values[1] ?? 0);
  if (acct >= l.maxPerAccount || addr >= l.maxPerAddress) {
    const ttls = await Promise.all(keys.map((k) => redis.ttl(k)));
    const seconds = Math.max(60, ...ttls);
    throw new DomainError("RATE_LIMITED", msg("auth.tooManyAttempts", { minutes: Math.ceil(seconds / 60) }));
  }
}

export async function countLoginFailure(
  redis: Redis,
  l: LoginLimits,
  username: string,
  ip: string | null,
): Promise<void> {
  const m = redis.multi();
  // The window starts at the first failure (NX), so steady guessing cannot keep extending it forever.
  m.incr(accountKey(l, username)).expire(accountKey(l, username), l.windowSeconds, "NX");
  if (ip) m.incr(addressKey(l, ip)).expire(addressKey(l, ip), l.windowSeconds, "NX");
  await m.exec();
}

export async function clearAccountFailures(redis: Redis, l: LoginLimits, username: string): Promise<void> {
  await redis.del(accountKey(l, username));
}
