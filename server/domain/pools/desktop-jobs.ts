// The two things the portal asks a desktop's host without a user's instance action: take it away (the
// pool's controller, a pool's deletion) and reset it (release, reset). Both are one conditional UPDATE
// (of two racing requests one wins) and a job whose id carries the bumped op_seq.
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { msg, type Message } from "@/common/message";
import { images, instances, type InstanceRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { JobPort } from "../context";
import { DomainError } from "../errors";
import { recordInstanceEvent } from "../instances/record-event";
import { assertNotInAdminMode, currentVersionImageId, lockProfile } from "../provisioning/profile-lock";

export interface DesktopDeps {
  db: Database;
  jobs: JobPort;
}

/**
 * Deletes a desktop (any state but deleted); returns false when it was already going, or (`assignedTo`)
 * when it is no longer assigned to that user.
 */
export async function deleteDesktop(
  deps: DesktopDeps,
  row: InstanceRow,
  why: Message,
  only: { assignedTo?: number } = {},
): Promise<boolean> {
  const live = ["PENDING", "SCHEDULED", "BUILDING", "RUNNING", "STOPPING", "STOPPED", "ERROR"] as const;
  const noHost = !row.hostId;
  const [res] = await deps.db
    .update(instances)
    .set(
      noHost
        ? { state: "DELETED", task: null, deletedAt: new Date(), assignedTo: null, updatedAt: new Date() }
        : {
            state: "DELETING",
            task: "deleting",
            progress: null,
            assignedTo: null,
            opSeq: sql`${instances.opSeq} + 1`,
            updatedAt: new Date(),
          },
    )
    .where(
      and(
        eq(instances.id, row.id),
        inArray(instances.state, live),
        only.assignedTo === undefined ? undefined : eq(instances.assignedTo, only.assignedTo),
      ),
    );
  if (res.affectedRows === 0) return false;
  await recordInstanceEvent(deps.db, {
    instanceId: row.id,
    kind: "state",
    message: why,
    fromState: row.state,
    toState: noHost ? "DELETED" : "DELETING",
  });
  if (noHost) return true;
  const [after] = await deps.db
    .select({ opSeq: instances.opSeq })
    .from(instances)
    .where(eq(instances.id, row.id));
  // A lost job leaves the desktop DELETING: the reaper fails it and the controller deletes it again.
  await deps.jobs
    .enqueue(row.hostId!, "instance.delete", { instanceId: row.id }, `delete-${row.id}-${after!.opSeq}`)
    .catch(() => undefined);
  return true;
}

/**
 * Resets a desktop to its profile's current version: powered off, its disk re-made from that base,
 * started again (the agent's `instance.reset`, protocol 6). Until it reports RUNNING the task
 * "resetting" keeps it from being handed out. A reset starts the desktop, so it is decided under the
 * profile's lock and refused while the profile is in admin mode (profile-lock.ts). `releaseFrom`: the
 * assignment to that user ends in the same UPDATE, so no instant exists where the desktop is unassigned
 * and not resetting (a hand-out would take it as the previous student left it).
 */
export async function requestDesktopReset(
  deps: DesktopDeps,
  row: InstanceRow,
  why: Message,
  opts: { releaseFrom?: number } = {},
): Promise<void> {
  // Never placed (no host): nothing to reset; the caller decides (release takes it away).
  if (!row.profileId || !row.hostId)
    throw new DomainError("CONFLICT", msg("desktops.cannotResetNow", { state: row.state }));
  const marked = await deps.db.transaction(async (tx) => {
    const profile = await lockProfile(tx, row.profileId!);
    assertNotInAdminMode(profile);
    const imageId = await currentVersionImageId(tx, profile);
    const [image] = await tx.select().from(images).where(eq(images.id, imageId));
    if (!image) throw new DomainError("CONFLICT", msg("notFound.image"));
    const release = opts.releaseFrom === undefined ? {} : { assignedTo: null, assignedAt: null };
    const [res] = await tx
      .update(instances)
      .set({
        ...release,
        task: "resetting",
        progress: null,
        imageId,
        profileVersion: profile.currentVersion,
        opSeq: sql`${instances.opSeq} + 1`,
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(instances.id, row.id),
          inArray(instances.state, ["RUNNING", "STOPPED"]),
          isNull(instances.task),
          eq(instances.hostId, row.hostId!),
          opts.releaseFrom === undefined ? undefined : eq(instances.assignedTo, opts.releaseFrom),
        ),
      );
    if (res.affectedRows === 0) return null;
    const [after] = await tx
      .select({ opSeq: instances.opSeq })
      .from(instances)
      .where(eq(instances.id, row.id));
    return { image, opSeq: after!.opSeq };
  });
  if (!marked) throw new DomainError("CONFLICT", msg("desktops.cannotResetNow", { state: row.state }));
  await recordInstanceEvent(deps.db, { instanceId: row.id, kind: "action", message: why });
  const { image } = marked;
  const payload = {
    instanceId: row.id,
    image: { id: image.id, sha256: image.sha256, format: image.format, sizeBytes: image.sizeBytes },
  };
  try {
    await deps.jobs.enqueue(row.hostId!, "instance.reset", payload, `reset-${row.id}-${marked.opSeq}`);
  } catch {
    // Nothing changed: the assignment (if released) and the image come back as they were.
    await deps.db
      .update(instances)
      .set({
        task: null,
        imageId: row.imageId,
        profileVersion: row.profileVersion,
        ...(opts.releaseFrom === undefined ? {} : { assignedTo: row.assignedTo, assignedAt: row.assignedAt }),
        updatedAt: new Date(),
      })
      .where(and(eq(instances.id, row.id), eq(instances.opSeq, marked.opSeq)));
    throw new DomainError("UNAVAILABLE", msg("unavailable.agentQueueNothingChanged"));
  }
}
