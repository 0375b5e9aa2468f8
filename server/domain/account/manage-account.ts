import { eq } from "drizzle-orm";
import type { z } from "zod";
import { users } from "@/db/schema";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import type { changePasswordInput, updatePreferencesInput } from "../users/schemas";
import { getUser } from "../users/find-users";
import type { UserView } from "../users/user-view";
import { msg } from "@/common/message";
import { endAllSessions, endOtherSessions } from "./sessions";

export function getOwnAccount(ctx: DomainContext): Promise<UserView> {
  return getUser(ctx, requireActor(ctx).id);
}

/**
 * Changes the caller's own password and ends every other session of theirs: whoever knew the old
 * password, or holds a copy of an old cookie, is out. `currentSession` (the one asking) stays.
 */
export async function changeOwnPassword(
  ctx: DomainContext,
  input: z.output<typeof changePasswordInput>,
  currentSession: string | null,
): Promise<void> {
  const actor = requireActor(ctx);
  const row = await ctx.db.query.users.findFirst({ where: eq(users.id, actor.id) });
  if (!row) throw notFound("account");
  if (!(await verifyPassword(row.passwordHash, input.currentPassword))) {
    throw new DomainError("INVALID", msg("account.currentPasswordWrong"), {
      currentPassword: msg("field.wrongPassword"),
    });
  }
  if (input.currentPassword === input.newPassword) {
    throw new DomainError("INVALID", msg("account.reusedPassword"), {
      newPassword: msg("field.sameAsCurrent"),
    });
  }
  await ctx.db
    .update(users)
    .set({ passwordHash: await hashPassword(input.newPassword) })
    .where(eq(users.id, actor.id));
  await endOtherSessions(
    { redis: ctx.redis, redisPrefix: ctx.settings.redisPrefix },
    actor.id,
    currentSession,
  );
}

/** Ends every session of the caller, the one asking included (a lost laptop, a shared computer). */
export async function signOutEverywhere(ctx: DomainContext): Promise<void> {
  const actor = requireActor(ctx);
  await endAllSessions(ctx.db, { redis: ctx.redis, redisPrefix: ctx.settings.redisPrefix }, actor.id);
}

export async function updateOwnPreferences(
  ctx: DomainContext,
  input: z.output<typeof updatePreferencesInput>,
): Promise<UserView> {
  const actor = requireActor(ctx);
  const patch: Partial<typeof users.$inferInsert> = {};
  if (input.locale) patch.locale = input.locale;
  if (input.theme) patch.theme = input.theme;
  if (Object.keys(patch).length) await ctx.db.update(users).set(patch).where(eq(users.id, actor.id));
  return getUser(ctx, actor.id);
}
