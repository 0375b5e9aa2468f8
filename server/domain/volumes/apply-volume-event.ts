// What the host reported about a volume job. Each report moves the row only out of the state its job
// put it in, so a late or repeated report changes nothing.
import { and, eq, inArray } from "drizzle-orm";
import type { z } from "zod";
import type { volumeStateEvent } from "@/agents/protocol";
import { instances, snapshots, volumes } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { EventRegistration } from "../events/dispatcher";
import { recordInstanceEvent } from "../instances/record-event";
import { msg, type Message } from "@/common/message";
import { errorReasonColumns } from "../reason-columns";

export async function applyVolumeEvent(db: Database, ev: z.output<typeof volumeStateEvent>): Promise<void> {
  const [v] = await db.select().from(volumes).where(eq(volumes.id, ev.volumeId));
  if (!v || v.hostId !== ev.hostId) return;
  const now = new Date();
  const ok = ev.state !== "failed";
  const why = ev.reason ?? "no reason given";
  const move = async (from: typeof v.state, set: Partial<typeof volumes.$inferInsert>) =>
    (
      await db
        .update(volumes)
        .set({ ...set, updatedAt: now })
        .where(and(eq(volumes.id, v.id), eq(volumes.state, from)))
    )[0].affectedRows > 0;
  const note = (instanceId: string | null | undefined, message: Message) =>
    instanceId
      ? recordInstanceEvent(db, { instanceId, kind: ok ? "info" : "error", message })
      : Promise.resolve();

  switch (ev.operation) {
    case "create":
      await move(
        "creating",
        ok
          ? { state: "available", ...errorReasonColumns(null) }
          : { state: "error", ...errorReasonColumns(msg("volumes.createFailed", { reason: why })) },
      );
      return;
    case "attach":
      if (
        await move(
          "attaching",
          ok
            ? { state: "attached" }
            : {
                state: "available",
                instanceId: null,
                ...errorReasonColumns(msg("volumes.attachFailed", { reason: why })),
              },
        )
      ) {
        await note(
          v.instanceId,
          ok
            ? msg("events.volumeAttached", { name: v.name })
            : msg("events.volumeAttachFailed", { name: v.name, reason: why }),
        );
      }
      return;
    case "detach":
      if (
        await move(
          "detaching",
          ok
            ? { state: "available", instanceId: null }
            : { state: "attached", ...errorReasonColumns(msg("volumes.detachFailed", { reason: why })) },
        )
      ) {
        await note(
          v.instanceId,
          ok
            ? msg("events.volumeDetached", { name: v.name })
            : msg("events.volumeDetachFailed", { name: v.name, reason: why }),
        );
      }
      return;
    case "delete":
      await move(
        "deleting",
        ok
          ? { state: "deleted", deletedAt: now }
          : { state: "available", ...errorReasonColumns(msg("volumes.deleteFailed", { reason: why })) },
      );
      return;
  }
}

/**
 * A deleted instance's disk took its snapshots with it; its volumes stay on the host (the VM's spec,
 * which named them, is gone) and are free to attach elsewhere on that host.
 */
export async function releaseInstanceStorage(db: Database, instanceId: string): Promise<void> {
  const [inst] = await db
    .select({ state: instances.state })
    .from(instances)
    .where(eq(instances.id, instanceId));
  if (inst?.state !== "DELETED") return;
  const now = new Date();
  await db
    .update(volumes)
    .set({ state: "available", instanceId: null, updatedAt: now })
    .where(
      and(eq(volumes.instanceId, instanceId), inArray(volumes.state, ["attaching", "attached", "detaching"])),
    );
  await db
    .update(snapshots)
    .set({ state: "deleted", deletedAt: now, updatedAt: now })
    .where(
      and(
        eq(snapshots.instanceId, instanceId),
        inArray(snapshots.state, ["creating", "ready", "reverting", "deleting", "error"]),
      ),
    );
}

export const registerVolumeEvents: EventRegistration = (r) => {
  r.on("volume.state", (ctx, ev) => applyVolumeEvent(ctx.db, ev));
  r.onInstanceState("DELETED", (ctx, { instance }) => releaseInstanceStorage(ctx.db, instance.id));
};
