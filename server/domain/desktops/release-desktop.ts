// Release (the student is done, or signs out): the assignment ends and the desktop is reset to its
// profile's current version; it is spare again once its host reports RUNNING. Reset keeps the assignment.
import { and, eq, inArray, isNotNull, isNull, notInArray, or } from "drizzle-orm";
import { msg } from "@/common/message";
import { instances, memberships, users, type InstanceRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext, type JobPort } from "../context";
import { DomainError } from "../errors";
import type { MembershipChange, MembershipHookRegistration } from "../events/membership-hook";
import { assertMayActOn } from "../policies/authorize";
import { nudgePools } from "../pools/pool-nudge";
import { loadDesktopRow } from "./load-desktop";
import { deleteDesktop, requestDesktopReset } from "../pools/desktop-jobs";

/** A pool's desktop the actor may act on as its student or a teacher of its lab's group. */
export async function loadDesktopForActor(ctx: DomainContext, instanceId: string): Promise<InstanceRow> {
  const actor = requireActor(ctx);
  const row = await loadDesktopRow(ctx.db, instanceId);
  assertMayActOn(actor, "desktops", { desktop: { assignedTo: row.assignedTo, groupId: row.groupId } });
  return row;
}

/**
 * Ends the assignment and resets the desktop in one step (requestDesktopReset); a desktop that cannot be
 * reset now (still building, busy, its profile in admin mode) is taken away instead: it must not reach the
 * next student as it is (the pool refills).
 */
async function releaseRow(deps: { db: Database; jobs: JobPort }, row: InstanceRow, by: string) {
  const from = row.assignedTo;
  if (from === null) return;
  const why = msg("desktops.releasedBy", { user: by });
  try {
    await requestDesktopReset(deps, row, why, { releaseFrom: from });
  } catch (err) {
    if (!(err instanceof DomainError) || err.kind !== "CONFLICT") throw err;
    await deleteDesktop(deps, row, why, { assignedTo: from });
  }
  nudgePools();
}

export async function releaseDesktop(
  ctx: DomainContext,
  instanceId: string,
): Promise<{ instanceId: string }> {
  const actor = requireActor(ctx);
  const row = await loadDesktopForActor(ctx, instanceId);
  if (row.assignedTo === null) throw new DomainError("CONFLICT", msg("desktops.notAssigned"));
  await releaseRow(ctx, row, actor.username);
  return { instanceId };
}

export async function resetDesktop(ctx: DomainContext, instanceId: string): Promise<{ instanceId: string }> {
  const actor = requireActor(ctx);
  const row = await loadDesktopForActor(ctx, instanceId);
  await requestDesktopReset(ctx, row, msg("desktops.resetBy", { user: actor.username }));
  return { instanceId };
}

/** Signing out releases every desktop assigned to the user (called from the sign-out event). */
export async function releaseDesktopsOf(
  deps: { db: Database; jobs: JobPort },
  user: { id: number; username: string },
): Promise<number> {
  const rows = await deps.db
    .select()
    .from(instances)
    .where(
      and(
        eq(instances.assignedTo, user.id),
        eq(instances.kind, "desktop"),
        notInArray(instances.state, ["DELETED", "DELETING"]),
      ),
    );
  for (const row of rows) await releaseRow(deps, row, user.username);
  return rows.length;
}

/**
 * Out of a group, out of its labs: releases (as at sign-out) the desktops assigned to a user who is no
 * longer a member of the desktop's group, or is disabled. Runs on the membership hook, after the change
 * has committed (the policies refuse a non-member the desktop meanwhile); `of` narrows the look to these
 * users or this group's desktops. Returns how many were released.
 */
async function releaseStrayDesktops(ctx: DomainContext, of: MembershipChange): Promise<number> {
  const by = requireActor(ctx).username;
  if (of.userIds && of.userIds.length === 0) return 0;
  const rows = await ctx.db
    .select({ instance: instances })
    .from(instances)
    .innerJoin(users, eq(users.id, instances.assignedTo))
    .leftJoin(
      memberships,
      and(eq(memberships.userId, instances.assignedTo), eq(memberships.groupId, instances.groupId)),
    )
    .where(
      and(
        eq(instances.kind, "desktop"),
        isNotNull(instances.assignedTo),
        notInArray(instances.state, ["DELETED", "DELETING"]),
        of.userIds ? inArray(instances.assignedTo, [...of.userIds]) : undefined,
        of.groupId === undefined ? undefined : eq(instances.groupId, of.groupId),
        or(eq(users.disabled, true), and(isNotNull(instances.groupId), isNull(memberships.userId))),
      ),
    );
  for (const { instance } of rows) await releaseRow(ctx, instance, by);
  return rows.length;
}

export const registerDesktopMembershipHooks: MembershipHookRegistration = (r) => {
  r.onMembershipsChanged(async (ctx, change) => void (await releaseStrayDesktops(ctx, change)));
};
