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

export interface DesktopDeps {
  db: Database;
  jobs: JobPort;
}

/** Deletes a desktop (any state but deleted); returns false when it was already going. */
export async function deleteDesktop(deps: DesktopDeps, row: InstanceRow, why: Message): Promise<boolean> {
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
    .where(and(eq(instances.id, row.id), inArray(instances.state, live)));
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
 * Resets a desktop to an image (the profile's current version): powered off, its disk re-made from that
 * base, started again (the agent's `instance.reset`, protocol 6). Until it reports RUNNING the task
 * "resetting" keeps it from being handed out.
 */
export async function requestDesktopReset(
  deps: DesktopDeps,
  row: InstanceRow,
  to: { imageId: string; profileVersion: number },
  why: Message,
): Promise<void> {
  const [image] = await deps.db.select().from(images).where(eq(images.id, to.imageId));
  if (!image) throw new DomainError("CONFLICT", msg("notFound.image"));
  const [res] = await deps.db
    .update(instances)
    .set({
      task: "resetting",
      progress: null,
      imageId: to.imageId,
      profileVersion: to.profileVersion,
      opSeq: sql`${instances.opSeq} + 1`,
      updatedAt: new Date(),
    })
    .where(
      and(eq(instances.id, row.id), inArray(instances.state, ["RUNNING", "STOPPED"]), isNull(instances.task)),
    );
  if (res.affectedRows === 0 || !row.hostId)
    throw new DomainError("CONFLICT", msg("desktops.cannotResetNow", { state: row.state }));
  const [after] = await deps.db
    .select({ opSeq: instances.opSeq })
    .from(instances)
    .where(eq(instances.id, row.id));
  await recordInstanceEvent(deps.db, { instanceId: row.id, kind: "action", message: why });
  const payload = {
    instanceId: row.id,
    image: { id: image.id, sha256: image.sha256, format: image.format, sizeBytes: image.sizeBytes },
  };
  try {
    await deps.jobs.enqueue(row.hostId, "instance.reset", payload, `reset-${row.id}-${after!.opSeq}`);
  } catch {
    await deps.db
      .update(instances)
      .set({ task: null, imageId: row.imageId, profileVersion: row.profileVersion, updatedAt: new Date() })
      .where(eq(instances.id, row.id));
    throw new DomainError("UNAVAILABLE", msg("unavailable.agentQueueNothingChanged"));
  }
}
