// Who is calling an HTTP route: resolved one way for every transport (the wrapper, tRPC's context,
// tus uploads). A user's session is the next-auth cookie decoded with the portal's secret, then the
// session as the server knows it and the account as it is now: a session that was signed out or
// ended, a disabled account or a session from before a password reset resolves to nobody. A host
// presents its host credential. An API token would be one more resolver here.
import type { Redis } from "ioredis";
import { decode } from "next-auth/jwt";
import type { Database } from "@/server/db/client";
import { loadSessionActor, type SessionClaims } from "@/server/domain/account/sessions";
import { authenticateHost } from "@/server/domain/hosts/find-hosts";
import { ANONYMOUS, hostCaller, type Caller } from "@/server/domain/policies/caller";

const COOKIE_NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

export function readCookie(header: string | null, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** The session's claims (user id, session version, session id), or null without a valid session cookie. */
export async function readSessionClaims(headers: Headers, secret: string): Promise<SessionClaims | null> {
  const cookie = headers.get("cookie");
  const token = COOKIE_NAMES.map((n) => readCookie(cookie, n)).find((v) => v);
  if (!token) return null;
  const claims = await decode({ token, secret }).catch(() => null);
  const uid = claims?.uid,
    sv = claims?.sv,
    sid = claims?.sid;
  // A cookie without a session id predates server-side sessions and could never be ended: refused.
  return typeof uid === "number" && typeof sv === "number" && typeof sid === "string" && sid
    ? { uid, sv, sid }
    : null;
}

/** What resolving a session needs: the cookie's secret, the account (MariaDB) and the live sessions (Redis). */
export interface SessionDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
  secret: string;
}

/** Throws UNAVAILABLE (not "signed out") when the session or account cannot be read (MariaDB or Redis down). */
export async function resolveSessionCaller(req: Request, deps: SessionDeps): Promise<Caller> {
  const claims = await readSessionClaims(req.headers, deps.secret);
  if (!claims) return ANONYMOUS;
  const actor = await loadSessionActor(deps, claims);
  return actor ? { kind: "user", actor, sessionId: claims.sid } : ANONYMOUS;
}

export async function resolveHostCaller(req: Request, deps: { db: Database }): Promise<Caller> {
  const host = await authenticateHost(deps.db, req.headers.get("authorization"));
  return host ? hostCaller(host.id) : ANONYMOUS;
}

export type Credentials = "session" | "host" | "none";

export function resolveCaller(req: Request, credentials: Credentials, deps: SessionDeps): Promise<Caller> {
  if (credentials === "session") return resolveSessionCaller(req, deps);
  if (credentials === "host") return resolveHostCaller(req, deps);
  return Promise.resolve(ANONYMOUS);
}
