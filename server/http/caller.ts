// Who is calling an HTTP route: resolved one way for every transport (the wrapper, tRPC's context,
// tus uploads). A user's session is the next-auth cookie decoded with the portal's secret, then the
// session as the server knows it and the account as it is now: a session that was signed out or
// ended, a disabled account or a session from before a password reset resolves to nobody. A host
// presents its host credential. An API token (`Authorization: Bearer ect_…`) acts as its user as they
// are now, capped by the token (server/domain/api-tokens/resolve-api-token.ts).
import type { Redis } from "ioredis";
import { decode } from "next-auth/jwt";
import { readClientIp } from "@/server/auth/client-ip";
import { bearerOf, resolveApiToken } from "@/server/domain/api-tokens/resolve-api-token";
import type { TokenRateLimits } from "@/server/domain/api-tokens/token-rate-limit";
import type { Database } from "@/server/db/client";
import { loadSessionActor, type SessionClaims } from "@/server/domain/account/sessions";
import { authenticateHost } from "@/server/domain/hosts/find-hosts";
import { ANONYMOUS, hostCaller, type Caller } from "@/server/domain/policies/caller";
import { msg } from "@/common/message";
import { DomainError } from "@/server/domain/errors";
import { authenticateTerminal } from "@/server/domain/terminals/authenticate-terminal";
import { KIOSK_COOKIE, loadKioskSession } from "@/server/domain/terminals/kiosk-sessions";
import { loadTerminal } from "@/server/domain/terminals/load-terminal";
import { TERMINAL_MAX_BODY_BYTES } from "@/server/domain/terminals/terminal-secrets";

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
  /** Derives terminals' secrets (terminal requests only). */
  terminalKey?: Buffer;
  /** API tokens' request budget (tests choose a small one; the default otherwise). */
  tokenLimits?: TokenRateLimits;
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

/**
 * The body's bytes from a copy of the request (the route reads the original), at most `max`: a longer
 * one is refused before it is read whole.
 */
async function readCappedBody(req: Request, max: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const tooLarge = () => new DomainError("INVALID", msg("terminals.bodyTooLarge", { max }));
  if (Number(req.headers.get("content-length") ?? 0) > max) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.clone().body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      // Not awaited: a branch of a tee'd body settles its cancel only once the other branch is done too.
      void reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * A terminal's signed request (terminal-secrets.ts): the signature covers the method, the path with its
 * query and the body, as the portal received them.
 */
export async function resolveTerminalCaller(req: Request, deps: SessionDeps): Promise<Caller> {
  const url = new URL(req.url);
  const terminal = await authenticateTerminal(
    { db: deps.db, redis: deps.redis, redisPrefix: deps.redisPrefix, terminalKey: deps.terminalKey! },
    {
      method: req.method,
      path: url.pathname + url.search,
      headers: req.headers,
      body: await readCappedBody(req, TERMINAL_MAX_BODY_BYTES),
    },
  );
  return terminal ? { kind: "terminal", terminalId: terminal.id } : ANONYMOUS;
}

/** The kiosk cookie: a live kiosk session of a terminal that is still approved. */
export async function resolveKioskCaller(req: Request, deps: SessionDeps): Promise<Caller> {
  const session = await loadKioskSession(
    { redis: deps.redis, prefix: deps.redisPrefix },
    readCookie(req.headers.get("cookie"), KIOSK_COOKIE),
  );
  if (!session) return ANONYMOUS;
  const terminal = await loadTerminal(deps.db, session.terminalId).catch(() => null);
  if (!terminal || terminal.state === "revoked") throw new DomainError("FORBIDDEN", msg("terminals.revoked"));
  if (terminal.state !== "approved") throw new DomainError("FORBIDDEN", msg("terminals.pending"));
  return {
    kind: "kiosk",
    terminalId: terminal.id,
    sessionHash: session.hash,
    userId: session.userId,
    userSv: session.sv ?? null,
  };
}

/**
 * An API token in `Authorization: Bearer ect_…`: the token's user as the account is now, capped by the
 * token. A missing, malformed, unknown, wrong, revoked or expired token, or a disabled account, is
 * UNAUTHORIZED with one message; a token over its budget is RATE_LIMITED (429 with Retry-After).
 */
export async function resolveTokenCaller(req: Request, deps: SessionDeps): Promise<Caller> {
  const token = bearerOf(req.headers.get("authorization"));
  if (!token) throw new DomainError("UNAUTHORIZED", msg("apiTokens.invalid"));
  const actor = await resolveApiToken(
    { db: deps.db, redis: deps.redis, redisPrefix: deps.redisPrefix, limits: deps.tokenLimits },
    token,
    readClientIp(req.headers),
  );
  return { kind: "user", actor };
}

/**
 * For routes that scripts and the browser both call (the REST API): a request with an Authorization
 * header is a token's, and only a token's — a bad token never falls back to the session cookie that a
 * browser may send along, so what a script is refused cannot depend on who is signed in nearby.
 */
export function resolveSessionOrTokenCaller(req: Request, deps: SessionDeps): Promise<Caller> {
  if (req.headers.has("authorization")) return resolveTokenCaller(req, deps);
  return resolveSessionCaller(req, deps);
}

export type Credentials = "session" | "host" | "none" | "terminal" | "kiosk" | "token" | "sessionOrToken";

export function resolveCaller(req: Request, credentials: Credentials, deps: SessionDeps): Promise<Caller> {
  if (credentials === "session") return resolveSessionCaller(req, deps);
  if (credentials === "token") return resolveTokenCaller(req, deps);
  if (credentials === "sessionOrToken") return resolveSessionOrTokenCaller(req, deps);
  if (credentials === "host") return resolveHostCaller(req, deps);
  if (credentials === "terminal") return resolveTerminalCaller(req, deps);
  if (credentials === "kiosk") return resolveKioskCaller(req, deps);
  return Promise.resolve(ANONYMOUS);
}
