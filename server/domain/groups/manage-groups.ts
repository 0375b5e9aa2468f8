import { and, asc, count, eq, inArray, notInArray } from "drizzle-orm";
import type { z } from "zod";
import { groups, memberships, users } from "@/db/schema";
import { assertMayActOn, visibleRowsOf } from "../policies/authorize";
import { requireActor, type DomainContext } from "../context";
import { isDuplicateKey } from "../db-errors";
import { DomainError, notFound } from "../errors";
import type {
  createGroupInput,
  GroupKind,
  setGroupAdminsInput,
  setGroupMembersInput,
  updateGroupInput,
} from "./schemas";
import { msg } from "@/common/message";

export interface GroupView {
  id: number;
  name: string;
  description: string;
  kind: GroupKind;
  memberCount: number;
  /** Its administrators (teachers), by username. */
  admins: { id: number; username: string }[];
  createdAt: Date;
}

export interface GroupDetail extends GroupView {
  members: {
    id: number;
    username: string;
    displayName: string;
    role: string;
    disabled: boolean;
    isAdmin: boolean;
  }[];
}

async function adminsOf(db: DomainContext["db"], groupIds: number[]) {
  const byGroup = new Map<number, { id: number; username: string }[]>();
  if (groupIds.length === 0) return byGroup;
  const rows = await db
    .select({ groupId: memberships.groupId, id: users.id, username: users.username })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(inArray(memberships.groupId, groupIds), eq(memberships.isAdmin, true)))
    .orderBy(asc(users.username));
  for (const r of rows) byGroup.set(r.groupId, [...(byGroup.get(r.groupId) ?? []), r]);
  return byGroup;
}

/** superAdm sees all groups; others the groups they belong to. */
export async function listGroups(ctx: DomainContext): Promise<GroupView[]> {
  const actor = requireActor(ctx);
  const visible = visibleRowsOf(actor, "groups", ctx.db);
  if (visible === null) return [];
  const rows = await ctx.db
    .select({
      id: groups.id,
      name: groups.name,
      description: groups.description,
      kind: groups.kind,
      createdAt: groups.createdAt,
      memberCount: count(memberships.userId),
    })
    .from(groups)
    .leftJoin(memberships, eq(memberships.groupId, groups.id))
    .where(visible)
    .groupBy(groups.id)
    .orderBy(asc(groups.name));
  const admins = await adminsOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, memberCount: Number(r.memberCount), admins: admins.get(r.id) ?? [] }));
}

export async function getGroup(ctx: DomainContext, id: number): Promise<GroupDetail> {
  const actor = requireActor(ctx);
  const row = await ctx.db.query.groups.findFirst({ where: eq(groups.id, id) });
  if (!row) throw notFound("group");
  assertMayActOn(actor, "groups", { id });
  const members = await ctx.db
    .select({
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      role: users.role,
      disabled: users.disabled,
      isAdmin: memberships.isAdmin,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.groupId, id))
    .orderBy(asc(users.username));
  const admins = members.filter((m) => m.isAdmin).map((m) => ({ id: m.id, username: m.username }));
  return { ...row, memberCount: members.length, admins, members };
}

function duplicateName(name: string) {
  return new DomainError("CONFLICT", msg("groups.nameTaken", { name }), {
    name: msg("field.nameTaken"),
  });
}

export async function createGroup(
  ctx: DomainContext,
  input: z.output<typeof createGroupInput>,
): Promise<GroupDetail> {
  requireActor(ctx);
  try {
    const [res] = await ctx.db.insert(groups).values(input);
    return await getGroup(ctx, res.insertId);
  } catch (err) {
    if (isDuplicateKey(err)) throw duplicateName(input.name);
    throw err;
  }
}

export async function updateGroup(
  ctx: DomainContext,
  input: z.output<typeof updateGroupInput>,
): Promise<GroupDetail> {
  requireActor(ctx);
  const { id, ...patch } = input;
  if (Object.keys(patch).length) {
    try {
      const [res] = await ctx.db.update(groups).set(patch).where(eq(groups.id, id));
      if (res.affectedRows === 0) throw notFound("group");
    } catch (err) {
      if (isDuplicateKey(err)) throw duplicateName(patch.name ?? "");
      throw err;
    }
  }
  return getGroup(ctx, id);
}

/** Memberships go with the group; the accounts stay. */
export async function deleteGroup(ctx: DomainContext, id: number): Promise<void> {
  requireActor(ctx);
  const [res] = await ctx.db.delete(groups).where(eq(groups.id, id));
  if (res.affectedRows === 0) throw notFound("group");
}

export async function setGroupMembers(
  ctx: DomainContext,
  input: z.output<typeof setGroupMembersInput>,
): Promise<GroupDetail> {
  requireActor(ctx);
  const userIds = [...new Set(input.userIds)];
  await ctx.db.transaction(async (tx) => {
    const [g] = await tx.select({ id: groups.id }).from(groups).where(eq(groups.id, input.id)).for("update");
    if (!g) throw notFound("group");
    if (userIds.length) {
      const found = await tx.select({ id: users.id }).from(users).where(inArray(users.id, userIds));
      if (found.length !== userIds.length)
        throw new DomainError("INVALID", msg("groups.unknownUser"), {
          userIds: msg("field.unknownUser"),
        });
    }
    // Only the memberships that change: a member who stays keeps their admin flag.
    await tx
      .delete(memberships)
      .where(
        userIds.length
          ? and(eq(memberships.groupId, input.id), notInArray(memberships.userId, userIds))
          : eq(memberships.groupId, input.id),
      );
    if (userIds.length)
      await tx
        .insert(memberships)
        .ignore()
        .values(userIds.map((userId) => ({ userId, groupId: input.id })));
  });
  // Who left the group leaves what hangs on it (its labs' desktops): the subscribers react after the commit.
  await ctx.hooks.membershipsChanged(ctx, { groupId: input.id });
  return getGroup(ctx, input.id);
}

/**
 * Who administers the group (replacing the list): powerAdm accounts only — the flag means nothing on a
 * student's account, so asking for one is refused by name rather than stored. Admins not yet members
 * become members; members who stop being admins stay members.
 */
export async function setGroupAdmins(
  ctx: DomainContext,
  input: z.output<typeof setGroupAdminsInput>,
): Promise<GroupDetail> {
  requireActor(ctx);
  const userIds = [...new Set(input.userIds)];
  await ctx.db.transaction(async (tx) => {
    const [g] = await tx.select({ id: groups.id }).from(groups).where(eq(groups.id, input.id)).for("update");
    if (!g) throw notFound("group");
    const found = userIds.length
      ? await tx
          .select({ id: users.id, username: users.username, role: users.role })
          .from(users)
          .where(inArray(users.id, userIds))
      : [];
    if (found.length !== userIds.length)
      throw new DomainError("INVALID", msg("groups.unknownUser"), { userIds: msg("field.unknownUser") });
    const notStaff = found.filter((u) => u.role !== "powerAdm");
    if (notStaff.length)
      throw new DomainError(
        "INVALID",
        msg("classes.adminMustBePowerAdm", { users: notStaff.map((u) => u.username).join(", ") }),
        { userIds: msg("classes.fieldAdminMustBePowerAdm") },
      );
    await tx.update(memberships).set({ isAdmin: false }).where(eq(memberships.groupId, input.id));
    if (userIds.length)
      await tx
        .insert(memberships)
        .values(userIds.map((userId) => ({ userId, groupId: input.id, isAdmin: true })))
        .onDuplicateKeyUpdate({ set: { isAdmin: true } });
  });
  return getGroup(ctx, input.id);
}
