import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { users } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor } from "../context";
import { isUnavailableError, unavailable } from "../errors";
import { loadActor } from "./load-actor";

/**
 * Which sessions exist. A session cookie is a signed JWT that the server cannot take back, so each one
 * names a session id, and a session lives only while its id is in the user's set here (a sorted set:
 * id → when it expires). Signing out removes the id, so a copied cookie stops working with it; a
 * password change removes the other ids; "sign out everywhere" removes all of them and moves the
 * account's session version on, which MariaDB keeps even if Redis loses its data.
 */
export interface SessionClaims {
  uid: number;
  sv: number;
  sid: string;
}

export interface SessionStore {
  redis: Redis;
  redisPrefix: string;
}

const sessionsKey = (s: SessionStore, uid: number) => `${s.redisPrefix}:sessions:${uid}`;

export const newSessionId = (): string => randomBytes(18).toString("base64url");

/** Records a new session at sign-in; it lasts `maxAgeSeconds` from now, as the cookie does. */
export async function startSession(
  s: SessionStore,
  uid: number,
  sid: string,
  maxAgeSeconds: number,
): Promise<void> {
  const key = sessionsKey(s, uid);
  const now = Date.now();
  await s.redis
    .multi()
    .zremrangebyscore(key, "-inf", now)
    .zadd(key, now + maxAgeSeconds * 1000, sid)
    .expire(key, maxAgeSeconds, "GT")
    .expire(key, maxAgeSeconds, "NX")
    .exec();
}

export async function isSessionLive(s: SessionStore, uid: number, sid: string): Promise<boolean> {
  const expires = await s.redis.zscore(sessionsKey(s, uid), sid);
  return expires !== null && Number(expires) > Date.now();
}

/** Sign-out: this session's cookie is refused from now on, wherever a copy of it is. */
export async function endSession(s: SessionStore, uid: number, sid: string): Promise<void> {
  await s.redis.zrem(sessionsKey(s, uid), sid);
}

// Every id of the user but one, in one step (a sign-in landing in between is either kept or ended whole).
const END_OTHERS = `
local keep = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[1])
if keep then
  redis.call('ZADD', KEYS[1], keep, ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], keep)
end
return 0
`;

/** After a password change: every other session of the user ends; `keep` (the one that changed it) stays. */
export async function endOtherSessions(s: SessionStore, uid: number, keep: string | null): Promise<void> {
  await s.redis.eval(END_OTHERS, 1, sessionsKey(s, uid), keep ?? "");
}

/** Every session of the user ends, this one included: the set goes, and the session version moves on. */
export async function endAllSessions(db: Database, s: SessionStore, uid: number): Promise<void> {
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` as unknown as number })
    .where(eq(users.id, uid));
  await s.redis.del(sessionsKey(s, uid));
}

/**
 * The actor behind a session cookie's claims (UNAVAILABLE while Redis or MariaDB is down), or null when the session has ended (signed out, ended by
 * a password change or "sign out everywhere"), the account is disabled, or its version moved on.
 */
export async function loadSessionActor(
  deps: SessionStore & { db: Database },
  claims: SessionClaims,
): Promise<Actor | null> {
  let live: boolean;
  try {
    live = await isSessionLive(deps, claims.uid, claims.sid);
  } catch (err) {
    throw outage(err, "redis");
  }
  if (!live) return null;
  try {
    return await loadActor(deps.db, claims.uid, claims.sv);
  } catch (err) {
    throw outage(err, "database");
  }
}

/**
 * Not "signed out": the caller is told which service is down. The lost connection stays the cause,
 * so code that asks isUnavailableError (the pages' calm "unavailable" view) still recognises it.
 */
function outage(err: unknown, service: "database" | "redis"): unknown {
  if (!isUnavailableError(err)) return err;
  const failure = unavailable(service);
  (failure as { cause?: unknown }).cause = err;
  return failure;
}
