// What the host reported about a snapshot job. Each report moves the row only out of the state its job
// put it in, so a late or repeated report changes nothing.
import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import type { snapshotStateEvent } from "@/agents/protocol";
import { instances, snapshots } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { EventRegistration } from "../events/dispatcher";
import { recordInstanceEvent } from "../instances/record-event";
import { msg, type Message } from "@/common/message";
import { errorReasonColumns } from "../reason-columns";

export async function applySnapshotEvent(
  db: Database,
  ev: z.output<typeof snapshotStateEvent>,
): Promise<void> {
  const [snap] = await db.select().from(snapshots).where(eq(snapshots.id, ev.snapshotId));
  const [inst] = await db
    .select({ hostId: instances.hostId })
    .from(instances)
    .where(eq(instances.id, ev.instanceId));
  if (!snap || snap.instanceId !== ev.instanceId || inst?.hostId !== ev.hostId) return;
  const now = new Date();
  const where = (state: typeof snap.state) => and(eq(snapshots.id, snap.id), eq(snapshots.state, state));
  const note = (kind: "info" | "error", message: Message) =>
    recordInstanceEvent(db, { instanceId: snap.instanceId, kind, message });
  const releaseInstance = () =>
    db
      .update(instances)
      .set({ task: null, updatedAt: now })
      .where(and(eq(instances.id, snap.instanceId), eq(instances.task, "reverting")));

  switch (ev.operation) {
    case "create": {
      const ok = ev.state === "created";
      const [res] = await db
        .update(snapshots)
        .set(
          ok
            ? { state: "ready", sizeBytes: ev.sizeBytes ?? null, ...errorReasonColumns(null), updatedAt: now }
            : {
                state: "error",
                ...errorReasonColumns(
                  ev.reason
                    ? msg("tasks.agentReason", { reason: ev.reason })
                    : msg("snapshots.hostCouldNotTake"),
                ),
                updatedAt: now,
              },
        )
        .where(where("creating"));
      if (res.affectedRows)
        await note(
          ok ? "info" : "error",
          ok
            ? msg("events.snapshotTaken", { name: snap.name })
            : msg("events.snapshotFailed", { name: snap.name, reason: ev.reason ?? "—" }),
        );
      return;
    }
    case "revert": {
      const ok = ev.state === "reverted";
      const [res] = await db
        .update(snapshots)
        .set({
          state: "ready",
          ...errorReasonColumns(ok ? null : msg("snapshots.revertFailed", { reason: ev.reason ?? "—" })),
          updatedAt: now,
        })
        .where(where("reverting"));
      await releaseInstance();
      if (res.affectedRows)
        await note(
          ok ? "info" : "error",
          ok
            ? msg("events.reverted", { name: snap.name })
            : msg("events.revertFailed", { name: snap.name, reason: ev.reason ?? "—" }),
        );
      return;
    }
    case "delete": {
      const ok = ev.state === "deleted";
      const [res] = await db
        .update(snapshots)
        .set(
          ok
            ? { state: "deleted", deletedAt: now, updatedAt: now }
            : {
                state: "ready",
                ...errorReasonColumns(msg("snapshots.deleteFailed", { reason: ev.reason ?? "—" })),
                updatedAt: now,
              },
        )
        .where(where("deleting"));
      if (res.affectedRows)
        await note(
          ok ? "info" : "error",
          ok
            ? msg("events.snapshotDeleted", { name: snap.name })
            : msg("events.snapshotDeleteFailed", { name: snap.name, reason: ev.reason ?? "—" }),
        );
      return;
    }
  }
}

export const registerSnapshotEvents: EventRegistration = (r) => {
  r.on("snapshot.state", (ctx, ev) => applySnapshotEvent(ctx.db, ev));
};
