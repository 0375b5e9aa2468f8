// Who is calling an HTTP route: resolved one way for every transport (the wrapper, tRPC's context,
// tus uploads). A user's session is the next-auth cookie decoded with the portal's secret, then the
// account as it is now: a disabled account or a session from before a password reset resolves to
// nobody. A host presents its host credential. An API token would be one more resolver here.
import { decode } from "next-auth/jwt";
import type { Database } from "@/server/db/client";
import { loadActor } from "@/server/domain/account/load-actor";
import { isUnavailableError, unavailable } from "@/server/domain/errors";
import { authenticateHost } from "@/server/domain/hosts/find-hosts";
import { ANONYMOUS, callerOf, hostCaller, type Caller } from "@/server/domain/policies/caller";

const COOKIE_NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

export function readCookie(header: string | null, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** The session's claims (user id and session version), or null without a valid session cookie. */
export async function readSessionClaims(
  headers: Headers,
  secret: string,
): Promise<{ uid: number; sv: number } | null> {
  const cookie = headers.get("cookie");
  const token = COOKIE_NAMES.map((n) => readCookie(cookie, n)).find((v) => v);
  if (!token) return null;
  const claims = await decode({ token, secret }).catch(() => null);
  const uid = claims?.uid,
    sv = claims?.sv;
  return typeof uid === "number" && typeof sv === "number" ? { uid, sv } : null;
}

/** Throws UNAVAILABLE (not "signed out") when the account cannot be read because MariaDB is down. */
export async function resolveSessionCaller(
  req: Request,
  deps: { db: Database; secret: string },
): Promise<Caller> {
  const claims = await readSessionClaims(req.headers, deps.secret);
  if (!claims) return ANONYMOUS;
  try {
    return callerOf(await loadActor(deps.db, claims.uid, claims.sv));
  } catch (err) {
    if (isUnavailableError(err)) throw unavailable("database");
    throw err;
  }
}

export async function resolveHostCaller(req: Request, deps: { db: Database }): Promise<Caller> {
  const host = await authenticateHost(deps.db, req.headers.get("authorization"));
  return host ? hostCaller(host.id) : ANONYMOUS;
}

export type Credentials = "session" | "host" | "none";

export function resolveCaller(
  req: Request,
  credentials: Credentials,
  deps: { db: Database; secret: string },
): Promise<Caller> {
  if (credentials === "session") return resolveSessionCaller(req, deps);
  if (credentials === "host") return resolveHostCaller(req, deps);
  return Promise.resolve(ANONYMOUS);
}
