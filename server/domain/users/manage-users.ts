import { and, count, eq, inArray, ne, notInArray, sql } from "drizzle-orm";
import type { z } from "zod";
import { groups, memberships, passwordResetTokens, users } from "@/db/schema";
import type { AccountRole } from "@/db/schema/roles";
import { hashPassword } from "@/server/auth/password";
import type { Database } from "@/server/db/client";
import { refuseOwnAccountByToken, requireActor, type DomainContext } from "../context";
import { isDuplicateKey } from "../db-errors";
import { DomainError, notFound } from "../errors";
import type {
  createUserInput,
  resetUserPasswordInput,
  setUserDisabledInput,
  updateUserInput,
} from "./schemas";
import { getUser } from "./find-users";
import type { UserView } from "./user-view";
import { msg } from "@/common/message";

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

async function assertGroupsExist(tx: Tx, groupIds: number[]): Promise<void> {
  const unique = [...new Set(groupIds)];
  if (unique.length === 0) return;
  const found = await tx.select({ id: groups.id }).from(groups).where(inArray(groups.id, unique));
  if (found.length !== unique.length) {
    throw new DomainError("INVALID", msg("users.unknownGroup"), {
      groupIds: msg("field.unknownGroup"),
    });
  }
}

/** Sets which groups a user is in; groups they stay in keep their admin flag (a teacher stays its teacher). */
async function replaceMemberships(tx: Tx, userId: number, groupIds: number[]): Promise<void> {
  await assertGroupsExist(tx, groupIds);
  const unique = [...new Set(groupIds)];
  await tx
    .delete(memberships)
    .where(
      unique.length
        ? and(eq(memberships.userId, userId), notInArray(memberships.groupId, unique))
        : eq(memberships.userId, userId),
    );
  if (unique.length)
    await tx
      .insert(memberships)
      .ignore()
      .values(unique.map((groupId) => ({ userId, groupId })));
}

/** Deletes the user's outstanding reset links (under the user's row lock the caller holds). */
async function voidResetLinks(tx: Tx, userId: number): Promise<void> {
  await tx.delete(passwordResetTokens).where(eq(passwordResetTokens.userId, userId));
}

/** Refuses to leave the system without an enabled superAdm (nobody could administer it). */
async function assertAnotherSuperAdmRemains(tx: Tx, userId: number): Promise<void> {
  // FOR UPDATE serialises two admins demoting each other at the same moment.
  const [row] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "superAdm"), eq(users.disabled, false), ne(users.id, userId)))
    .for("update");
  if ((row?.n ?? 0) === 0) {
    throw new DomainError("CONFLICT", msg("users.lastSuperAdm"));
  }
}

export async function createUser(
  ctx: DomainContext,
  input: z.output<typeof createUserInput>,
): Promise<UserView> {
  requireActor(ctx);
  const passwordHash = await hashPassword(input.password);
  let id: number;
  try {
    id = await ctx.db.transaction(async (tx) => {
      const [res] = await tx.insert(users).values({
        username: input.username,
        displayName: input.displayName,
        email: input.email || null,
        passwordHash,
        role: input.role,
      });
      await replaceMemberships(tx, res.insertId, input.groupIds);
      return res.insertId;
    });
  } catch (err) {
    if (isDuplicateKey(err)) {
      throw new DomainError("CONFLICT", msg("users.nameTaken", { name: input.username }), {
        username: msg("field.usernameTaken"),
      });
    }
    throw err;
  }
  return getUser(ctx, id);
}

export async function updateUser(
  ctx: DomainContext,
  input: z.output<typeof updateUserInput>,
): Promise<UserView> {
  refuseOwnAccountByToken(requireActor(ctx), input.id);
  await ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, input.id)).for("update");
    if (!current) throw notFound("user");
    if (input.role && input.role !== "superAdm" && current.role === "superAdm") {
      await assertAnotherSuperAdmRemains(tx, current.id);
    }
    const patch: Partial<typeof users.$inferInsert> = {
      updatedAt: sql`CURRENT_TIMESTAMP(3)` as unknown as Date,
    };
    if (input.displayName !== undefined) patch.displayName = input.displayName;
    if (input.email !== undefined) patch.email = input.email || null;
    if (input.role !== undefined) patch.role = input.role as AccountRole;
    await tx.update(users).set(patch).where(eq(users.id, input.id));
    if (input.groupIds) await replaceMemberships(tx, input.id, input.groupIds);
    // A student is no group's admin: a flag kept from a teacher's past would come back with a later
    // promotion, and is read alone where "its teacher" is picked (a pool's desktops' owner).
    if (input.role === "user" || input.role === "powerUser")
      await tx.update(memberships).set({ isAdmin: false }).where(eq(memberships.userId, input.id));
    // A link issued for the old role (by a teacher, for a student) must not open the new one.
    if (input.role !== undefined && input.role !== current.role) await voidResetLinks(tx, input.id);
  });
  // Out of a group, out of what hangs on it (its labs' desktops): the subscribers react after the commit.
  if (input.groupIds) await ctx.hooks.membershipsChanged(ctx, { userIds: [input.id] });
  return getUser(ctx, input.id);
}

export async function setUserDisabled(
  ctx: DomainContext,
  input: z.output<typeof setUserDisabledInput>,
): Promise<UserView> {
  const actor = requireActor(ctx);
  refuseOwnAccountByToken(actor, input.id);
  if (input.disabled && input.id === actor.id) {
    throw new DomainError("CONFLICT", msg("users.cannotDisableSelf"));
  }
  await ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, input.id)).for("update");
    if (!current) throw notFound("user");
    if (input.disabled && current.role === "superAdm") await assertAnotherSuperAdmRemains(tx, current.id);
    await tx
      .update(users)
      .set({
        disabled: input.disabled,
        // Disabling ends every session of the account at its next request.
        sessionVersion: input.disabled
          ? (sql`${users.sessionVersion} + 1` as unknown as number)
          : current.sessionVersion,
      })
      .where(eq(users.id, input.id));
    if (input.disabled) await voidResetLinks(tx, input.id);
  });
  await ctx.hooks.membershipsChanged(ctx, { userIds: [input.id] });
  return getUser(ctx, input.id);
}

export async function resetUserPassword(
  ctx: DomainContext,
  input: z.output<typeof resetUserPasswordInput>,
): Promise<UserView> {
  refuseOwnAccountByToken(requireActor(ctx), input.id);
  const passwordHash = await hashPassword(input.password);
  const [res] = await ctx.db
    .update(users)
    .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` as unknown as number })
    .where(eq(users.id, input.id));
  if (res.affectedRows === 0) throw notFound("user");
  return getUser(ctx, input.id);
}
