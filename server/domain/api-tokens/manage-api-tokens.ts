// Creating, listing and revoking API tokens (docs/security.md "API tokens"). The secret leaves the
// portal once, in create's answer; nothing else (lists, audit, logs) ever holds more than the public id.
import { and, count, desc, eq, gt, isNull } from "drizzle-orm";
import { MAX_LIVE_API_TOKENS, type CreateApiTokenInput } from "@/common/api-tokens";
import { msg } from "@/common/message";
import { roleRank, type AccountRole } from "@/common/roles";
import { apiTokens, users } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { mintToken } from "./token-format";

const DAY_MS = 24 * 3600 * 1000;

export interface ApiTokenView {
  id: number;
  name: string;
  /** What the user sees of the token in lists: its public half (`ect_<publicId>_…`). */
  publicId: string;
  role: AccountRole;
  readOnly: boolean;
  expiresAt: Date;
  createdAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  expired: boolean;
}

const VIEW_COLUMNS = {
  id: apiTokens.id,
  name: apiTokens.name,
  publicId: apiTokens.publicId,
  role: apiTokens.role,
  readOnly: apiTokens.readOnly,
  expiresAt: apiTokens.expiresAt,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  lastUsedIp: apiTokens.lastUsedIp,
};

const withExpired = <T extends { expiresAt: Date }>(row: T, now = Date.now()) => ({
  ...row,
  expired: row.expiresAt.getTime() <= now,
});

/**
 * A new token for the caller; the answer carries the whole token, which is never shown again. Refused
 * to a caller that is itself a token (a token could otherwise outlive itself, minting successors).
 */
export async function createApiToken(ctx: DomainContext, input: CreateApiTokenInput) {
  const actor = requireActor(ctx);
  if (actor.token) throw new DomainError("FORBIDDEN", msg("apiTokens.notWithToken"));
  if (roleRank(input.role) > roleRank(actor.role))
    throw new DomainError("FORBIDDEN", msg("apiTokens.roleAboveOwn"), {
      role: msg("apiTokens.roleAboveOwn"),
    });
  const minted = mintToken();
  const expiresAt = new Date(Date.now() + input.expiresInDays * DAY_MS);
  const id = await ctx.db.transaction(async (tx) => {
    // The account's row, locked: two creations at once count each other against the cap.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.id)).for("update");
    const [live] = await tx
      .select({ n: count() })
      .from(apiTokens)
      .where(
        and(eq(apiTokens.userId, actor.id), isNull(apiTokens.revokedAt), gt(apiTokens.expiresAt, new Date())),
      );
    if ((live?.n ?? 0) >= MAX_LIVE_API_TOKENS)
      throw new DomainError("CONFLICT", msg("apiTokens.tooMany", { max: MAX_LIVE_API_TOKENS }));
    const [res] = await tx.insert(apiTokens).values({
      userId: actor.id,
      name: input.name,
      publicId: minted.publicId,
      secretHash: minted.secretHash,
      role: input.role,
      readOnly: input.readOnly,
      expiresAt,
    });
    return res.insertId;
  });
  return {
    id,
    name: input.name,
    publicId: minted.publicId,
    role: input.role,
    readOnly: input.readOnly,
    expiresAt,
    /** Shown once. */
    token: minted.token,
  };
}

/** The caller's own tokens that still exist (revoked ones are gone; expired ones stay until revoked). */
export async function listOwnApiTokens(ctx: DomainContext): Promise<ApiTokenView[]> {
  const actor = requireActor(ctx);
  const rows = await ctx.db
    .select(VIEW_COLUMNS)
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, actor.id), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
  const now = Date.now();
  return rows.map((r) => withExpired(r, now));
}

/** Every account's tokens (superAdm), with whose they are and the role each account holds now. */
export async function listAllApiTokens(ctx: DomainContext) {
  requireActor(ctx);
  const rows = await ctx.db
    .select({ ...VIEW_COLUMNS, userId: users.id, username: users.username, userRole: users.role })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(isNull(apiTokens.revokedAt))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
  const now = Date.now();
  return rows.map((r) => withExpired(r, now));
}

/**
 * Revokes a token: it is refused from the next request on. Its user or superAdm (the policy); `any`
 * is the superAdm's admin list, where the permission table already decided.
 */
export async function revokeApiToken(ctx: DomainContext, id: number, o: { any?: boolean } = {}) {
  const actor = requireActor(ctx);
  const [row] = await ctx.db
    .select({ id: apiTokens.id, userId: apiTokens.userId, revokedAt: apiTokens.revokedAt })
    .from(apiTokens)
    .where(eq(apiTokens.id, id));
  if (!row || row.revokedAt) throw notFound("apiToken");
  if (!o.any) assertMayActOn(actor, "apiTokens", row);
  await ctx.db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)));
  return { id };
}
