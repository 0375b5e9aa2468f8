import { and, asc, eq, inArray, like, or, type SQL } from "drizzle-orm";
import { memberships, users } from "@/db/schema";
import { assertSharesGroup, reachesAllGroups } from "../access";
import { requireActor, type DomainContext } from "../context";
import { notFound } from "../errors";
import { findGroupIdsOfUsers, toUserView, type UserView } from "./user-view";

/** superAdm sees every account; a powerAdm sees the members of the groups they belong to. */
export async function listUsers(
  ctx: DomainContext,
  input: { search?: string; groupId?: number },
): Promise<UserView[]> {
  const actor = requireActor(ctx);
  const conditions: SQL[] = [];
  if (!reachesAllGroups(actor)) {
    if (actor.groupIds.length === 0) return [];
    const scoped = ctx.db
      .select({ id: memberships.userId })
      .from(memberships)
      .where(inArray(memberships.groupId, actor.groupIds));
    conditions.push(inArray(users.id, scoped));
  }
  if (input.groupId !== undefined) {
    conditions.push(
      inArray(
        users.id,
        ctx.db
          .select({ id: memberships.userId })
          .from(memberships)
          .where(eq(memberships.groupId, input.groupId)),
      ),
    );
  }
  if (input.search) {
    const pattern = `%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(like(users.username, pattern), like(users.displayName, pattern))!);
  }
  const rows = await ctx.db
    .select()
    .from(users)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(users.username))
    .limit(1000);
  const groupsByUser = await findGroupIdsOfUsers(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toUserView(r, groupsByUser.get(r.id) ?? []));
}

export async function getUser(ctx: DomainContext, id: number): Promise<UserView> {
  const actor = requireActor(ctx);
  const row = await ctx.db.query.users.findFirst({ where: eq(users.id, id) });
  if (!row) throw notFound("user");
  const groupIds = (await findGroupIdsOfUsers(ctx.db, [id])).get(id) ?? [];
  if (row.id !== actor.id) assertSharesGroup(actor, groupIds, "user");
  return toUserView(row, groupIds);
}
