// Setting limits: the defaults per role and a group's limits are superAdm's (the procedures' permission
// entries say so); a user's own limits are superAdm's or those of an admin of one of the user's groups,
// who may not hand out more than the group itself was given. Each call replaces the whole set; a key
// left out or null is "no limit" afterwards. Every change is audited by the procedure.
import { and, eq, inArray } from "drizzle-orm";
import { msg } from "@/common/message";
import { QUOTA_KEYS, type QuotaLimits } from "@/common/quotas";
import { roleMeets } from "@/common/permissions";
import type { AccountRole } from "@/common/roles";
import { groups, memberships, quotaLimits, users } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext } from "../context";
import { DomainError, forbidden, notFound } from "../errors";
import { administersGroup } from "../policies/owned";
import { assertMayActOn } from "../policies/authorize";
import { limitsOfRow, readGroupLimits } from "./read-limits";

type Subject = { subject: "role"; id: AccountRole } | { subject: "user" | "group"; id: number };

function columnsOf(limits: QuotaLimits) {
  return Object.fromEntries(QUOTA_KEYS.map((k) => [k, limits[k] ?? null])) as Record<
    (typeof QUOTA_KEYS)[number],
    number | null
  >;
}

/** Writes the set (or removes the row when it limits nothing: no row and no limits read the same). */
async function writeLimits(
  db: Pick<Database, "insert" | "delete">,
  who: Subject,
  limits: QuotaLimits,
  by: number,
): Promise<void> {
  const cols = columnsOf(limits);
  const where = and(eq(quotaLimits.subject, who.subject), eq(quotaLimits.subjectId, String(who.id)));
  if (QUOTA_KEYS.every((k) => cols[k] === null)) {
    await db.delete(quotaLimits).where(where);
    return;
  }
  const row = { ...cols, updatedBy: by, updatedAt: new Date() };
  await db
    .insert(quotaLimits)
    .values({ subject: who.subject, subjectId: String(who.id), ...row })
    .onDuplicateKeyUpdate({ set: row });
}

export async function setRoleDefaults(
  ctx: DomainContext,
  input: { role: AccountRole; limits: QuotaLimits },
): Promise<{ role: AccountRole; limits: QuotaLimits }> {
  const actor = requireActor(ctx);
  await writeLimits(ctx.db, { subject: "role", id: input.role }, input.limits, actor.id);
  return { role: input.role, limits: columnsOf(input.limits) };
}

export async function setGroupLimits(
  ctx: DomainContext,
  input: { groupId: number; limits: QuotaLimits },
): Promise<{ groupId: number; limits: QuotaLimits }> {
  const actor = requireActor(ctx);
  const [g] = await ctx.db.select({ id: groups.id }).from(groups).where(eq(groups.id, input.groupId));
  if (!g) throw notFound("group");
  await writeLimits(ctx.db, { subject: "group", id: input.groupId }, input.limits, actor.id);
  return { groupId: input.groupId, limits: columnsOf(input.limits) };
}

export async function setUserLimits(
  ctx: DomainContext,
  input: { userId: number; limits: QuotaLimits },
): Promise<{ userId: number; limits: QuotaLimits }> {
  const actor = requireActor(ctx);
  const [user] = await ctx.db
    .select({ id: users.id, username: users.username, role: users.role })
    .from(users)
    .where(eq(users.id, input.userId));
  if (!user) throw notFound("user");
  const groupIds = (
    await ctx.db
      .select({ groupId: memberships.groupId })
      .from(memberships)
      .where(eq(memberships.userId, user.id))
  ).map((m) => m.groupId);
  // An admin of one of the user's groups (superAdm any): the quotas policy.
  assertMayActOn(actor, "quotas", { groupIds });
  if (actor.role !== "superAdm") {
    // A teacher sets students' limits, not a fellow administrator's (nor their own).
    if (roleMeets(user.role, "powerAdm"))
      throw forbidden(msg("quotas.adminAccount", { user: user.username }));
    // Not more than any of the teacher's groups of this user was given itself.
    const theirs = groupIds.filter((g) => administersGroup(actor, g));
    const groupLimits = await readGroupLimits(ctx.db, theirs);
    const names = new Map(
      (
        await ctx.db
          .select({ id: groups.id, name: groups.name })
          .from(groups)
          .where(inArray(groups.id, theirs))
      ).map((g) => [g.id, g.name]),
    );
    // Only keys the class itself is limited in: elsewhere a teacher's change could undo what the
    // administrator set for this student (or lift them above their role's default) without bound.
    const stored = limitsOfRow(
      (
        await ctx.db
          .select()
          .from(quotaLimits)
          .where(and(eq(quotaLimits.subject, "user"), eq(quotaLimits.subjectId, String(user.id))))
      )[0],
    );
    for (const key of QUOTA_KEYS) {
      const value = input.limits[key] ?? null;
      if (value === (stored[key] ?? null)) continue;
      const capped = [...groupLimits.values()].some((l) => l[key] !== null && l[key] !== undefined);
      if (!capped)
        throw new DomainError("FORBIDDEN", msg("quotas.noClassLimit", { quota: key }), {
          [`limits.${key}`]: msg("quotas.fieldNoClassLimit"),
        });
      if (value === null) continue;
      for (const [groupId, limits] of groupLimits) {
        const cap = limits[key];
        if (cap !== null && cap !== undefined && value > cap)
          throw new DomainError(
            "FORBIDDEN",
            msg("quotas.aboveGroupLimit", { quota: key, value, limit: cap, group: names.get(groupId) ?? "" }),
            { [`limits.${key}`]: msg("quotas.fieldAtMost", { limit: cap }) },
          );
      }
    }
  }
  await writeLimits(ctx.db, { subject: "user", id: user.id }, input.limits, actor.id);
  return { userId: user.id, limits: columnsOf(input.limits) };
}
