import { and, asc, eq, inArray, like, or, type SQL } from "drizzle-orm";
import { memberships, users } from "@/db/schema";
import { assertMayActOn, visibleRowsOf } from "../policies/authorize";
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
  const visible = visibleRowsOf(actor, "users", ctx.db);
  if (visible === null) return [];
  if (visible) conditions.push(visible);
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
  assertMayActOn(actor, "users", { id: row.id, groupIds });
  return toUserView(row, groupIds);
}
