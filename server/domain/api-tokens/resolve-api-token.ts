// Who a Bearer token acts as: its user as the account is NOW (role, groups, disabled), never above the
// token's role. Every way a token can fail — not ours, unknown, wrong secret, revoked, expired, its
// account disabled or waiting for approval — answers the same UNAUTHORIZED, so a caller learns nothing
// about which tokens or accounts exist.
import { eq } from "drizzle-orm";
import type { Redis } from "ioredis";
import { msg } from "@/common/message";
import { roleRank } from "@/common/roles";
import { apiTokens, memberships, users } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { actorOf } from "../account/load-actor";
import type { Actor } from "../context";
import { DomainError } from "../errors";
import { parseToken, secretMatches } from "./token-format";
import { reserveTokenRequest, TOKEN_RATE_LIMITS, type TokenRateLimits } from "./token-rate-limit";

export interface TokenDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
  limits?: TokenRateLimits;
}

/** A token's use is written at most this often: a busy script must not write a row per request. */
export const LAST_USED_EVERY_SECONDS = 60;

const invalid = () => new DomainError("UNAUTHORIZED", msg("apiTokens.invalid"));

/** The value of an Authorization header as a token, or null when it is not `Bearer <something>`. */
export function bearerOf(header: string | null): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m ? m[1]! : null;
}

/** The actor behind a token, capped by it; throws UNAUTHORIZED (one message) or RATE_LIMITED. */
export async function resolveApiToken(deps: TokenDeps, token: string, ip: string | null): Promise<Actor> {
  const parsed = parseToken(token);
  if (!parsed) throw invalid();
  const [row] = await deps.db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.publicId, parsed.publicId));
  // The hash is compared whether or not the row exists, so both answers take the same time.
  const matches = secretMatches(parsed.secret, row?.token.secretHash ?? "0".repeat(64));
  if (!row || !matches) throw invalid();
  const { token: t, user } = row;
  if (t.revokedAt || t.expiresAt.getTime() <= Date.now()) throw invalid();
  if (user.disabled || user.pendingApproval) throw invalid();
  await reserveTokenRequest(deps.redis, deps.redisPrefix, t, deps.limits ?? TOKEN_RATE_LIMITS);
  const groupRows = await deps.db
    .select({ groupId: memberships.groupId, isAdmin: memberships.isAdmin })
    .from(memberships)
    .where(eq(memberships.userId, user.id));
  // The lower of the token's role and the account's now: a demoted teacher's token is a student's at
  // once. actorOf grants administered groups only to the capped role, so a powerAdm's token capped to
  // powerUser administers nothing.
  const role = roleRank(t.role) < roleRank(user.role) ? t.role : user.role;
  const actor = actorOf({ ...user, role }, groupRows);
  await noteUse(deps, t.id, ip);
  return { ...actor, token: { id: t.id, publicId: t.publicId, readOnly: t.readOnly } };
}

async function noteUse(deps: TokenDeps, id: number, ip: string | null): Promise<void> {
  const first = await deps.redis.set(
    `${deps.redisPrefix}:api-token:used:${id}`,
    "1",
    "EX",
    LAST_USED_EVERY_SECONDS,
    "NX",
  );
  if (first !== "OK") return;
  await deps.db.update(apiTokens).set({ lastUsedAt: new Date(), lastUsedIp: ip }).where(eq(apiTokens.id, id));
}
