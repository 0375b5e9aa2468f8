// What the usage pages show: one's own limits and use (and each of one's groups'), a group's with its
// members' use, and everyone's for superAdm (also as CSV). Limits as reserveQuota applies them: a user's
// own value, else their role's; a group's own; the effective one the tighter of the two.
import { and, asc, eq, inArray, or } from "drizzle-orm";
import { ACCOUNT_ROLES, type AccountRole } from "@/common/roles";
import {
  QUOTA_KEYS,
  emptyUsage,
  tighterLimit,
  type QuotaKey,
  type QuotaLimits,
  type QuotaUsage,
} from "@/common/quotas";
import { groups, memberships, quotaLimits, users } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { toCsv } from "../csv";
import { notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { administersGroup } from "../policies/owned";
import { measureUsage } from "./measure-usage";
import { measureUsageOfAll } from "./measure-usage-all";
import { limitsOfRow, readGroupLimits, readUserLimits } from "./read-limits";

type LimitSource = "user" | "role";

export interface UserQuotaView {
  id: number;
  username: string;
  displayName: string;
  role: AccountRole;
  disabled: boolean;
  /** The limits that hold for the user: their own where set, else their role's. */
  limits: QuotaLimits;
  /** Only the user's own values (what the user-limits editor edits). */
  own: QuotaLimits;
  source: Partial<Record<QuotaKey, LimitSource>>;
  usage: QuotaUsage;
}

export interface GroupQuotaView {
  id: number;
  name: string;
  limits: QuotaLimits;
  usage: QuotaUsage;
  memberCount: number;
}

export interface MyQuotaView {
  user: Omit<UserQuotaView, "disabled" | "own">;
  /** Per group: its limits and use, and for each key the tighter of the group's and the user's limit. */
  groups: (Omit<GroupQuotaView, "memberCount"> & { effective: QuotaLimits; administers: boolean })[];
}

function effectiveOf(user: QuotaLimits, group: QuotaLimits): QuotaLimits {
  const out: QuotaLimits = {};
  for (const k of QUOTA_KEYS) {
    const v = tighterLimit(user[k], group[k]);
    if (v !== null) out[k] = v;
  }
  return out;
}

export async function readMyQuotas(ctx: DomainContext): Promise<MyQuotaView> {
  const actor = requireActor(ctx);
  const [me] = await ctx.db
    .select({ id: users.id, username: users.username, displayName: users.displayName, role: users.role })
    .from(users)
    .where(eq(users.id, actor.id));
  if (!me) throw notFound("account");
  const { limits, source } = await readUserLimits(ctx.db, me);
  const usage = await measureUsage(ctx.db, { ownerId: me.id });
  const mine = actor.groupIds.length
    ? await ctx.db
        .select({ id: groups.id, name: groups.name })
        .from(groups)
        .where(inArray(groups.id, actor.groupIds))
        .orderBy(asc(groups.name))
    : [];
  const groupLimits = await readGroupLimits(
    ctx.db,
    mine.map((g) => g.id),
  );
  const groupUsage = await measureUsageOfAll(
    ctx.db,
    "group",
    mine.map((g) => g.id),
  );
  return {
    user: { ...me, limits, source, usage },
    groups: mine.map((g) => {
      const gl = groupLimits.get(g.id) ?? {};
      return {
        ...g,
        limits: gl,
        usage: groupUsage.get(g.id) ?? emptyUsage(),
        effective: effectiveOf(limits, gl),
        // The page links a group's admins to the group's usage view.
        administers: administersGroup(actor, g.id),
      };
    }),
  };
}

/** Users' limits and use, many at once (role defaults read once). */
async function userViews(ctx: DomainContext, ids?: number[]): Promise<UserQuotaView[]> {
  if (ids && !ids.length) return [];
  const rows = await ctx.db
    .select({
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      role: users.role,
      disabled: users.disabled,
    })
    .from(users)
    .where(ids ? inArray(users.id, ids) : undefined)
    .orderBy(asc(users.username));
  const limitRows = await ctx.db
    .select()
    .from(quotaLimits)
    .where(
      or(
        eq(quotaLimits.subject, "role"),
        and(
          eq(quotaLimits.subject, "user"),
          ids ? inArray(quotaLimits.subjectId, ids.map(String)) : undefined,
        ),
      ),
    );
  const usage = await measureUsageOfAll(ctx.db, "owner", ids);
  return rows.map((u) => {
    const own = limitsOfRow(limitRows.find((r) => r.subject === "user" && r.subjectId === String(u.id)));
    const role = limitsOfRow(limitRows.find((r) => r.subject === "role" && r.subjectId === u.role));
    const limits: QuotaLimits = {};
    const source: Partial<Record<QuotaKey, LimitSource>> = {};
    for (const k of QUOTA_KEYS) {
      if (own[k] !== undefined) [limits[k], source[k]] = [own[k], "user"];
      else if (role[k] !== undefined) [limits[k], source[k]] = [role[k], "role"];
    }
    return { ...u, limits, own, source, usage: usage.get(u.id) ?? emptyUsage() };
  });
}

export interface GroupUsageView {
  group: GroupQuotaView;
  members: (UserQuotaView & { isAdmin: boolean })[];
}

/** A group's limits and use, and each member's own limits and use: its admins, superAdm any. */
export async function readGroupQuotas(ctx: DomainContext, groupId: number): Promise<GroupUsageView> {
  const actor = requireActor(ctx);
  const [g] = await ctx.db
    .select({ id: groups.id, name: groups.name })
    .from(groups)
    .where(eq(groups.id, groupId));
  if (!g) throw notFound("group");
  assertMayActOn(actor, "quotas", { groupIds: [groupId] });
  const members = await ctx.db
    .select({ userId: memberships.userId, isAdmin: memberships.isAdmin })
    .from(memberships)
    .where(eq(memberships.groupId, groupId));
  const views = await userViews(
    ctx,
    members.map((m) => m.userId),
  );
  const usage = await measureUsage(ctx.db, { groupId });
  return {
    group: {
      ...g,
      limits: (await readGroupLimits(ctx.db, [groupId])).get(groupId) ?? {},
      usage,
      memberCount: members.length,
    },
    members: views.map((v) => ({ ...v, isAdmin: members.find((m) => m.userId === v.id)?.isAdmin ?? false })),
  };
}

export interface AllQuotasView {
  roleDefaults: Record<AccountRole, QuotaLimits>;
  users: UserQuotaView[];
  groups: GroupQuotaView[];
}

/** Every user and every group with limits and use (superAdm; the permission entry says so). */
export async function listAllQuotas(ctx: DomainContext): Promise<AllQuotasView> {
  requireActor(ctx);
  const roleRows = await ctx.db.select().from(quotaLimits).where(eq(quotaLimits.subject, "role"));
  const roleDefaults = Object.fromEntries(
    ACCOUNT_ROLES.map((r) => [r, limitsOfRow(roleRows.find((row) => row.subjectId === r))]),
  ) as Record<AccountRole, QuotaLimits>;
  const groupRows = await ctx.db
    .select({ id: groups.id, name: groups.name })
    .from(groups)
    .orderBy(asc(groups.name));
  const counts = await ctx.db
    .select({ groupId: memberships.groupId, userId: memberships.userId })
    .from(memberships);
  const limits = await readGroupLimits(
    ctx.db,
    groupRows.map((g) => g.id),
  );
  const usage = await measureUsageOfAll(ctx.db, "group");
  return {
    roleDefaults,
    users: await userViews(ctx),
    groups: groupRows.map((g) => ({
      ...g,
      limits: limits.get(g.id) ?? {},
      usage: usage.get(g.id) ?? emptyUsage(),
      memberCount: counts.filter((c) => c.groupId === g.id).length,
    })),
  };
}

/**
 * One row per user and per group: kind, id, name, role, then use and limit for every key (an empty
 * limit is "no limit"). A spreadsheet sorts and sums it.
 */
export async function exportAllQuotasCsv(ctx: DomainContext): Promise<string> {
  const all = await listAllQuotas(ctx);
  const header = ["kind", "id", "name", "role", ...QUOTA_KEYS.flatMap((k) => [`${k}_used`, `${k}_limit`])];
  const cells = (usage: QuotaUsage, limits: QuotaLimits) =>
    QUOTA_KEYS.flatMap((k) => [usage[k], limits[k] ?? null]);
  return toCsv(header, [
    ...all.users.map((u) => ["user", u.id, u.username, u.role, ...cells(u.usage, u.limits)]),
    ...all.groups.map((g) => ["group", g.id, g.name, "", ...cells(g.usage, g.limits)]),
  ]);
}
