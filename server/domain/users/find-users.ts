import { and, eq, inArray, like, or, type SQL } from "drizzle-orm";
import type { ListUsersInput, USER_SORTS } from "@/common/users";
import type { Page } from "@/common/paging";
import { memberships, users } from "@/db/schema";
import { assertMayActOn, visibleRowsOf } from "../policies/authorize";
import { requireActor, type DomainContext } from "../context";
import { notFound } from "../errors";
import { countAll, finishPage, likeEscaped, pageClauses, type Keyset } from "../paging/keyset";
import { findGroupIdsOfUsers, toUserView, type UserView } from "./user-view";

const USER_KEYSET: Keyset<(typeof USER_SORTS)[number]> = {
  sorts: {
    username: { column: users.username, kind: "string", unique: true },
    createdAt: { column: users.createdAt, kind: "date" },
  },
  id: { column: users.id, kind: "number" },
};

/** superAdm sees every account; a powerAdm the members of the groups they administer (users policy). */
function listFilter(ctx: DomainContext, input: ListUsersInput): SQL | null | undefined {
  const actor = requireActor(ctx);
  const visible = visibleRowsOf(actor, "users", ctx.db);
  if (visible === null) return null;
  const members = (groupId: number) =>
    ctx.db.select({ id: memberships.userId }).from(memberships).where(eq(memberships.groupId, groupId));
  const pattern = input.search && `%${likeEscaped(input.search)}%`;
  return and(
    visible,
    input.groupId !== undefined ? inArray(users.id, members(input.groupId)) : undefined,
    input.role ? eq(users.role, input.role) : undefined,
    pattern ? or(like(users.username, pattern), like(users.displayName, pattern)) : undefined,
  );
}

/** One page's rows through the index on the sort column (exported so a test can EXPLAIN it). */
export function userPageQuery(ctx: DomainContext, input: ListUsersInput, where: SQL | undefined) {
  const page = pageClauses(USER_KEYSET, input);
  return ctx.db
    .select()
    .from(users)
    .where(and(where, page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit);
}

export async function listUsers(ctx: DomainContext, input: ListUsersInput): Promise<Page<UserView>> {
  const where = listFilter(ctx, input);
  if (where === null) return { items: [], nextCursor: null, total: 0 };
  const [rows, [count]] = await Promise.all([
    userPageQuery(ctx, input, where),
    ctx.db.select({ n: countAll }).from(users).where(where),
  ]);
  const { items, nextCursor } = finishPage(USER_KEYSET, input, rows);
  const groupsByUser = await findGroupIdsOfUsers(
    ctx.db,
    items.map((r) => r.id),
  );
  return {
    items: items.map((r) => toUserView(r, groupsByUser.get(r.id) ?? [])),
    nextCursor,
    total: count?.n ?? 0,
  };
}

export async function getUser(ctx: DomainContext, id: number): Promise<UserView> {
  const actor = requireActor(ctx);
  const row = await ctx.db.query.users.findFirst({ where: eq(users.id, id) });
  if (!row) throw notFound("user");
  const groupIds = (await findGroupIdsOfUsers(ctx.db, [id])).get(id) ?? [];
  assertMayActOn(actor, "users", { id: row.id, groupIds });
  return toUserView(row, groupIds);
}
