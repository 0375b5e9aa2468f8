// A teacher adds existing accounts to a class they administer and takes them out again. Making someone
// an admin is superAdm's (groups.setAdmins), and so is taking an admin out: a teacher cannot remove a
// fellow teacher, nor themselves.
import { and, eq, inArray, notInArray } from "drizzle-orm";
import type { z } from "zod";
import { msg } from "@/common/message";
import type { addClassMembersInput, removeClassMembersInput } from "@/common/classes";
import { memberships, users } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext } from "../context";
import { DomainError } from "../errors";
import { loadClass } from "./load-class";

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

export async function addClassMembers(
  ctx: DomainContext,
  input: z.output<typeof addClassMembersInput>,
): Promise<{ id: number; added: number; alreadyMembers: number }> {
  const actor = requireActor(ctx);
  const names = [...new Set(input.usernames.map((n) => n.trim()))];
  return ctx.db.transaction(async (tx) => {
    await loadClass(tx, actor, input.id, true);
    const found = await tx
      .select({ id: users.id, username: users.username, role: users.role })
      .from(users)
      .where(inArray(users.username, names));
    // MariaDB compares usernames without case: match the same way, so "Ann" finds "ann".
    const unknown = names.filter((n) => !found.some((u) => u.username.toLowerCase() === n.toLowerCase()));
    if (unknown.length)
      throw new DomainError("INVALID", msg("classes.unknownAccounts", { names: unknown.join(", ") }), {
        usernames: msg("classes.fieldUnknownAccounts"),
      });
    const ids = found.map((u) => u.id);
    if (actor.role !== "superAdm") await assertTeacherMayAdd(tx, actor.adminGroupIds, found);
    const already = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.groupId, input.id), inArray(memberships.userId, ids)));
    const fresh = ids.filter((id) => !already.some((a) => a.userId === id));
    if (fresh.length)
      await tx
        .insert(memberships)
        .ignore()
        .values(fresh.map((userId) => ({ userId, groupId: input.id })));
    return { id: input.id, added: fresh.length, alreadyMembers: already.length };
  });
}

/**
 * Membership of a class gives its teachers reach over the account (reset links, approvals, limits), so a
 * teacher adds only students (user, powerUser) who are in no class or only in classes this teacher
 * teaches. Anyone else — staff, or a student of another class — is the IT administrator's to add.
 */
async function assertTeacherMayAdd(
  tx: Tx,
  adminGroupIds: readonly number[],
  accounts: { id: number; username: string; role: string }[],
): Promise<void> {
  const elsewhere = accounts.length
    ? await tx
        .select({ userId: memberships.userId })
        .from(memberships)
        .where(
          and(
            inArray(
              memberships.userId,
              accounts.map((a) => a.id),
            ),
            adminGroupIds.length ? notInArray(memberships.groupId, [...adminGroupIds]) : undefined,
          ),
        )
    : [];
  const refused = accounts.filter(
    (a) => (a.role !== "user" && a.role !== "powerUser") || elsewhere.some((e) => e.userId === a.id),
  );
  if (refused.length)
    throw new DomainError(
      "FORBIDDEN",
      msg("classes.cannotAddAccounts", { names: refused.map((a) => a.username).join(", ") }),
      {
        usernames: msg("classes.fieldCannotAddAccounts"),
      },
    );
}

/**
 * Their machines stay in the class (its teachers still reach them, and may remove them); the lab desktops
 * assigned to them are released.
 */
export async function removeClassMembers(
  ctx: DomainContext,
  input: z.output<typeof removeClassMembersInput>,
): Promise<{ id: number; removed: number }> {
  const actor = requireActor(ctx);
  const ids = [...new Set(input.userIds)];
  const removed = await ctx.db.transaction(async (tx) => {
    await loadClass(tx, actor, input.id, true);
    const rows = await tx
      .select({ userId: memberships.userId, isAdmin: memberships.isAdmin, username: users.username })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.groupId, input.id), inArray(memberships.userId, ids)));
    const admins = rows.filter((r) => r.isAdmin);
    if (admins.length && actor.role !== "superAdm")
      throw new DomainError(
        "FORBIDDEN",
        msg("classes.cannotRemoveAdmin", { users: admins.map((a) => a.username).join(", ") }),
      );
    if (rows.length)
      await tx.delete(memberships).where(
        and(
          eq(memberships.groupId, input.id),
          inArray(
            memberships.userId,
            rows.map((r) => r.userId),
          ),
        ),
      );
    return rows;
  });
  // Out of the class, out of its labs: the desktops area releases theirs there as at sign-out (after the
  // commit; the policies refuse a non-member the desktop meanwhile).
  if (removed.length)
    await ctx.hooks.membershipsChanged(ctx, { userIds: removed.map((r) => r.userId), groupId: input.id });
  return { id: input.id, removed: removed.length };
}
