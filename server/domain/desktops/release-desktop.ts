// Release (the student is done, or signs out): the assignment ends and the desktop is reset to its
// profile's current version; it is spare again once its host reports RUNNING. Reset keeps the assignment.
import { and, eq, notInArray } from "drizzle-orm";
import { msg } from "@/common/message";
import { instances, profiles, type InstanceRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext, type JobPort } from "../context";
import { DomainError, notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { currentVersionImageId } from "../provisioning/profile-lock";
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

async function resetTo(db: Database, row: InstanceRow) {
  const [profile] = await db.select().from(profiles).where(eq(profiles.id, row.profileId!));
  if (!profile) throw notFound("profile");
  return { imageId: await currentVersionImageId(db, profile), profileVersion: profile.currentVersion };
}

/** Ends the assignment and resets the desktop; a desktop that cannot be reset now is taken away instead. */
async function releaseRow(deps: { db: Database; jobs: JobPort }, row: InstanceRow, by: string) {
  const [res] = await deps.db
    .update(instances)
    .set({ assignedTo: null, assignedAt: null, updatedAt: new Date() })
    .where(and(eq(instances.id, row.id), eq(instances.assignedTo, row.assignedTo!)));
  if (res.affectedRows === 0) return;
  try {
    await requestDesktopReset(
      deps,
      row,
      await resetTo(deps.db, row),
      msg("desktops.releasedBy", { user: by }),
    );
  } catch (err) {
    // Still building, or busy: it must not reach the next student as it is, so it goes (the pool refills).
    if (!(err instanceof DomainError) || err.kind !== "CONFLICT") throw err;
    await deleteDesktop(deps, row, msg("desktops.releasedBy", { user: by }));
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
  await requestDesktopReset(
    ctx,
    row,
    await resetTo(ctx.db, row),
    msg("desktops.resetBy", { user: actor.username }),
  );
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
