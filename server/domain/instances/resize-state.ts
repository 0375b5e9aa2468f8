// What the instances area keeps of a resize under way (the request itself is provisioning's, next to
// placement: it checks the catalogue, quota and the host's room): the task it shows, its job's id, and
// how the size before is put back when the host could not do it or the job could not be sent.
import { and, eq } from "drizzle-orm";
import { instances } from "@/db/schema";
import type { Database } from "@/server/db/client";

/** The task a resizing instance shows; its host's instance.resized report ends it. */
export const RESIZE_TASK = "resizing";
export const resizeJobId = (instanceId: string, opSeq: number) => `resize-${instanceId}-${opSeq}`;

/** What a failed or unsent resize goes back to. */
export interface SizeBefore {
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  flavorId: number;
}

/**
 * Puts the size before back and ends the task, only while this very resize (its op_seq) is still under
 * way: a delete requested meanwhile keeps its own task. The triggers give the room back to host_usage.
 */
export async function restoreSize(
  db: Pick<Database, "update">,
  instanceId: string,
  opSeq: number,
  before: SizeBefore,
): Promise<boolean> {
  const [res] = await db
    .update(instances)
    .set({ ...before, task: null, progress: null, updatedAt: new Date() })
    .where(and(eq(instances.id, instanceId), eq(instances.task, RESIZE_TASK), eq(instances.opSeq, opSeq)));
  return res.affectedRows > 0;
}
