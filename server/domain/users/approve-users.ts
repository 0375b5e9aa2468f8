import { and, eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { msg } from "@/common/message";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { getUser } from "./find-users";
import { findGroupIdsOfUsers } from "./user-view";
import type { UserView } from "./user-view";

/** A pending (self-signed-up) account, checked against the caller's reach: admins of its group, superAdm. */
async function loadPending(ctx: DomainContext, id: number) {
  const actor = requireActor(ctx);
  const row = await ctx.db.query.users.findFirst({ where: eq(users.id, id) });
  if (!row) throw notFound("user");
  const groupIds = (await findGroupIdsOfUsers(ctx.db, [id])).get(id) ?? [];
  assertMayActOn(actor, "users", { id, groupIds });
  if (!row.pendingApproval) throw new DomainError("CONFLICT", msg("accounts.notPending"));
  return row;
}

/** Lets a self-signed-up account in. */
export async function approveUser(ctx: DomainContext, input: { id: number }): Promise<UserView> {
  await loadPending(ctx, input.id);
  await ctx.db
    .update(users)
    .set({ pendingApproval: false })
    .where(and(eq(users.id, input.id), eq(users.pendingApproval, true)));
  return getUser(ctx, input.id);
}

/**
 * Turns a sign-up away: the account is deleted. Only a still-pending account (the condition is in the
 * DELETE itself, so an approval that lands first wins): an active account is never deleted this way.
 */
export async function rejectUser(ctx: DomainContext, input: { id: number }): Promise<{ id: number }> {
  await loadPending(ctx, input.id);
  const [res] = await ctx.db
    .delete(users)
    .where(and(eq(users.id, input.id), eq(users.pendingApproval, true)));
  if (res.affectedRows !== 1) throw new DomainError("CONFLICT", msg("accounts.notPending"));
  return { id: input.id };
}
