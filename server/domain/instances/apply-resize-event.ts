// What the host says about a resize: done (the task ends, the row already has the new size) or failed
// (the size before goes back, from the request's timeline entry). Only the instance's own host, and only
// while this resize is still the instance's task (the report's job id names its op_seq): a late report
// of an older resize, or one arriving after a delete was asked for, changes nothing.
import { and, desc, eq } from "drizzle-orm";
import type { z } from "zod";
import type { instanceResizedEvent } from "@/agents/protocol";
import { msg } from "@/common/message";
import { flavors, instanceEvents, instances } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { recordInstanceEvent } from "./record-event";
import { RESIZE_TASK, resizeJobId, restoreSize, type SizeBefore } from "./resize-state";

/** The size before, as the request's timeline entry recorded it (see resizeRequested). */
async function readSizeBefore(db: Pick<Database, "select">, instanceId: string): Promise<SizeBefore | null> {
  const [entry] = await db
    .select({ params: instanceEvents.params })
    .from(instanceEvents)
    .where(and(eq(instanceEvents.instanceId, instanceId), eq(instanceEvents.code, "resize.requested")))
    .orderBy(desc(instanceEvents.id))
    .limit(1);
  const p = entry?.params;
  const n = (k: string) => (typeof p?.[k] === "number" ? (p[k] as number) : NaN);
  const before = {
    flavorId: n("fromFlavorId"),
    vcpus: n("fromVcpus"),
    memoryMiB: n("fromMemoryMiB"),
    diskGiB: n("fromDiskGiB"),
  };
  return Object.values(before).every(Number.isInteger) ? before : null;
}

export async function applyInstanceResized(
  db: Database,
  ev: z.output<typeof instanceResizedEvent>,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [inst] = await tx.select().from(instances).where(eq(instances.id, ev.instanceId)).for("update");
    if (!inst || inst.hostId !== ev.hostId || inst.task !== RESIZE_TASK) return;
    if (ev.jobId && ev.jobId !== resizeJobId(inst.id, inst.opSeq)) return;
    const [flavor] = await tx
      .select({ name: flavors.name })
      .from(flavors)
      .where(eq(flavors.id, inst.flavorId));
    if (ev.state === "resized") {
      await tx
        .update(instances)
        .set({ task: null, progress: null, updatedAt: new Date() })
        .where(eq(instances.id, inst.id));
      await recordInstanceEvent(tx, {
        instanceId: inst.id,
        kind: "state",
        message: msg("resize.done", {
          to: flavor?.name ?? String(inst.flavorId),
          vcpus: inst.vcpus,
          memoryMiB: inst.memoryMiB,
          diskGiB: inst.diskGiB,
        }),
        fromState: inst.state,
        toState: inst.state,
      });
      return;
    }
    const before = await readSizeBefore(tx, inst.id);
    // Without a record of the size before (an operator's edit of the timeline), keep the larger size:
    // counting too much is safe, too little is not.
    const restored = before
      ? await restoreSize(tx, inst.id, inst.opSeq, before)
      : (
          await tx
            .update(instances)
            .set({ task: null, progress: null, updatedAt: new Date() })
            .where(eq(instances.id, inst.id))
        )[0].affectedRows > 0;
    if (!restored) return;
    const [old] = before
      ? await tx.select({ name: flavors.name }).from(flavors).where(eq(flavors.id, before.flavorId))
      : [flavor];
    // The agent's detail is the tool's own words (qemu-img's stderr): a parameter, not translated.
    const detail = ev.reasonMessage?.params.detail;
    const reason = typeof detail === "string" ? detail : (ev.reason ?? "—");
    await recordInstanceEvent(tx, {
      instanceId: inst.id,
      kind: "error",
      message: msg("resize.failed", {
        from: old?.name ?? String(before?.flavorId ?? inst.flavorId),
        reason,
      }),
      fromState: inst.state,
      toState: inst.state,
    });
  });
}
