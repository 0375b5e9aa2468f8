// The kiosk page is bound to its terminal without the terminal's secret ever reaching the browser: the
// boot script fetches a one-time link (60 s, single use) with its signed request and opens it; redeeming
// it gives the browser a kiosk session (an httpOnly cookie; only its hash is kept in Redis) bound to
// that terminal. A student who signs in there is recorded in the session and on the terminal's row.
import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";

export const KIOSK_LINK_TTL_SECONDS = 60;
/** A kiosk session outlives a school day; the terminal's boot opens a new one anyway. */
export const KIOSK_SESSION_TTL_SECONDS = 16 * 3600;
export const KIOSK_COOKIE = "educloud-kiosk";

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

interface Store {
  redis: Redis;
  prefix: string;
}

const linkKey = (s: Store, hash: string) => `${s.prefix}:kiosk-link:${hash}`;
const sessionKey = (s: Store, hash: string) => `${s.prefix}:kiosk-session:${hash}`;

const sessionSchema = z.object({
  terminalId: z.uuid(),
  userId: z.number().int().positive().nullable(),
  /** The student's session version at sign-in (kiosk.ts): a later "sign out everywhere" ends the kiosk's. */
  sv: z.number().int().nullable().optional(),
});
export type KioskSession = z.infer<typeof sessionSchema> & { hash: string };

export async function issueKioskLink(s: Store, terminalId: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await s.redis.set(linkKey(s, hashOf(token)), terminalId, "EX", KIOSK_LINK_TTL_SECONDS);
  return token;
}

/** Takes the link out of Redis (a second use finds nothing) and starts a session: its cookie value. */
export async function redeemKioskLink(
  s: Store,
  token: string,
): Promise<{ cookie: string; terminalId: string } | null> {
  if (!TOKEN.test(token)) return null;
  const terminalId = await s.redis.getdel(linkKey(s, hashOf(token)));
  if (!terminalId) return null;
  const cookie = randomBytes(32).toString("base64url");
  await s.redis.set(
    sessionKey(s, hashOf(cookie)),
    JSON.stringify({ terminalId, userId: null }),
    "EX",
    KIOSK_SESSION_TTL_SECONDS,
  );
  return { cookie, terminalId };
}

export async function loadKioskSession(s: Store, cookie: string | null): Promise<KioskSession | null> {
  if (!cookie || !TOKEN.test(cookie)) return null;
  const hash = hashOf(cookie);
  const raw = await s.redis.get(sessionKey(s, hash));
  if (!raw) return null;
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? { ...parsed.data, hash } : null;
  } catch {
    return null;
  }
}

/**
 * Who is signed in at this kiosk session now (null: signed out) and their session version then; keeps
 * the session's time to live.
 */
export async function setKioskUser(
  s: Store,
  session: KioskSession,
  user: { id: number; sessionVersion: number } | null,
): Promise<void> {
  await s.redis.set(
    sessionKey(s, session.hash),
    JSON.stringify({
      terminalId: session.terminalId,
      userId: user?.id ?? null,
      sv: user?.sessionVersion ?? null,
    }),
    "KEEPTTL",
  );
}

// ---- activity (kiosk-idle.ts) -----------------------------------------------------------------------

const activityKey = (s: Store, terminalId: string) => `${s.prefix}:kiosk-activity:${terminalId}`;
/** Kept well past any idle limit; a missing key counts as idle since ever. */
const ACTIVITY_TTL_SECONDS = 24 * 3600;

/**
 * The student at this terminal did something (signed in, or typed or moved the pointer in the desktop's
 * console): when, in ms. Counted by the server from what reaches it, not by the page, which could keep a
 * session alive forever.
 */
export async function noteKioskActivity(s: Store, terminalId: string, at = Date.now()): Promise<void> {
  await s.redis.set(activityKey(s, terminalId), String(at), "EX", ACTIVITY_TTL_SECONDS);
}

/** When the student at this terminal last did something (ms), or 0 when nothing is known. */
export async function lastKioskActivity(s: Store, terminalId: string): Promise<number> {
  return Number(await s.redis.get(activityKey(s, terminalId))) || 0;
}
