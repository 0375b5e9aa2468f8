import { asc, count, eq, inArray } from "drizzle-orm";
import type { z } from "zod";
import { groups, memberships, users } from "@/db/schema";
import { assertMayActOn, visibleRowsOf } from "../policies/authorize";
import { requireActor, type DomainContext } from "../context";
import { isDuplicateKey } from "../db-errors";
import { DomainError, notFound } from "../errors";
import type { createGroupInput, setGroupMembersInput, updateGroupInput } from "./schemas";
import { msg } from "@/common/message";

export interface GroupView {
  id: number;
  name: string;
  description: string;
  memberCount: number;
  createdAt: Date;
}

export interface GroupDetail extends GroupView {
  members: { id: number; username: string; displayName: string; role: string; disabled: boolean }[];
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
      createdAt: groups.createdAt,
      memberCount: count(memberships.userId),
    })
    .from(groups)
    .leftJoin(memberships, eq(memberships.groupId, groups.id))
    .where(visible)
    .groupBy(groups.id)
    .orderBy(asc(groups.name));
  return rows.map((r) => ({ ...r, memberCount: Number(r.memberCount) }));
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
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.groupId, id))
    .orderBy(asc(users.username));
  return { ...row, memberCount: members.length, members };
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
    await tx.delete(memberships).where(eq(memberships.groupId, input.id));
    if (userIds.length)
      await tx.insert(memberships).values(userIds.map((userId) => ({ userId, groupId: input.id })));
  });
  return getGroup(ctx, input.id);
}
