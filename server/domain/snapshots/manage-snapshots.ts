// Snapshots of an instance's disk. The row is the portal's truth; the host's agent makes, reverts
// and removes the internal qcow2 snapshot tagged with the row's id and reports back (apply-snapshot-event).
// Revert needs the instance stopped: it replaces the disk, which a running guest would not survive
// intact. We refuse with that reason rather than power the guest off behind the user's back.
import { and, asc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { isSettled } from "@/common/instance-states";
import { instances, snapshots, users, type InstanceRow, type SnapshotRow } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { loadInstanceForActor } from "../instances/find-instances";
import { recordInstanceEvent } from "../instances/record-event";
import { msg } from "@/common/message";
import { errorReasonColumns, storedReason } from "../reason-columns";
import { reserveQuota } from "../quotas/reserve-quota";

/** Internal snapshots live in the instance's qcow2; each one pins old clusters, so keep them few. */
export const MAX_SNAPSHOTS_PER_INSTANCE = 16;

export interface SnapshotView {
  id: string;
  instanceId: string;
  name: string;
  state: SnapshotRow["state"];
  sizeBytes: number | null;
  errorReason: string | null;
  /** errorReason as a code, for the reader's language. */
  errorMessage: { code: string; params: Record<string, string | number> } | null;
  createdBy: string | null;
  createdAt: Date;
}

const redisDown = () => new DomainError("UNAVAILABLE", msg("unavailable.agentQueueNothingChanged"));

export async function listSnapshots(ctx: DomainContext, instanceId: string): Promise<SnapshotView[]> {
  await loadInstanceForActor(ctx, instanceId);
  const rows = await ctx.db
    .select({ s: snapshots, by: users.username })
    .from(snapshots)
    .leftJoin(users, eq(users.id, snapshots.createdBy))
    .where(and(eq(snapshots.instanceId, instanceId), ne(snapshots.state, "deleted")))
    .orderBy(asc(snapshots.createdAt));
  return rows.map(({ s, by }) => ({
    id: s.id,
    instanceId: s.instanceId,
    name: s.name,
    state: s.state,
    sizeBytes: s.sizeBytes,
    errorReason: s.errorReason,
    errorMessage: storedReason(s),
    createdBy: by,
    createdAt: s.createdAt,
  }));
}

async function loadSnapshotForActor(
  ctx: DomainContext,
  id: string,
): Promise<{ snap: SnapshotRow; inst: InstanceRow }> {
  const [snap] = await ctx.db.select().from(snapshots).where(eq(snapshots.id, id));
  if (!snap || snap.state === "deleted") throw notFound("snapshot");
  return { snap, inst: await loadInstanceForActor(ctx, snap.instanceId) };
}

export async function createSnapshot(
  ctx: DomainContext,
  input: { instanceId: string; name: string },
): Promise<SnapshotView> {
  const actor = requireActor(ctx);
  const inst = await loadInstanceForActor(ctx, input.instanceId);
  if (!inst.hostId || !isSettled(inst)) {
    throw new DomainError(
      "CONFLICT",
      msg("instances.snapshotNotNow", { state: inst.state, task: inst.task ?? "none" }),
    );
  }
  const id = randomUUID();
  await ctx.db.transaction(
    async (tx) => {
      // Snapshots count for the instance's owner and group; their quota locks also serialise two creates
      // on one instance, so the per-instance cap below holds too.
      await reserveQuota(tx, {
        owners: [{ ownerId: inst.ownerId, add: { snapshots: 1 } }],
        groupId: inst.groupId,
        requestedBy: actor.id,
      });
      // Still the owner and group the quota was taken for: a hand-over in between (which locks this row
      // and counts the machine's snapshots for the new owner) must not miss this one.
      const [now] = await tx
        .select({ ownerId: instances.ownerId, groupId: instances.groupId })
        .from(instances)
        .where(eq(instances.id, inst.id))
        .for("update");
      if (!now || now.ownerId !== inst.ownerId || now.groupId !== inst.groupId)
        throw new DomainError("CONFLICT", msg("snapshots.ownerChanged"));
      const [count] = await tx
        .select({ n: sql<number>`count(*)` })
        .from(snapshots)
        .where(and(eq(snapshots.instanceId, inst.id), ne(snapshots.state, "deleted")));
      if (Number(count?.n ?? 0) >= MAX_SNAPSHOTS_PER_INSTANCE) {
        throw new DomainError("CONFLICT", msg("snapshots.tooMany", { max: MAX_SNAPSHOTS_PER_INSTANCE }));
      }
      await tx.insert(snapshots).values({ id, instanceId: inst.id, name: input.name, createdBy: actor.id });
    },
    { isolationLevel: "read committed" },
  );
  try {
    await ctx.jobs.enqueue(
      inst.hostId,
      "snapshot.create",
      { instanceId: inst.id, snapshotId: id },
      `snapshot-create-${id}`,
    );
  } catch {
    await ctx.db.delete(snapshots).where(eq(snapshots.id, id));
    throw redisDown();
  }
  await recordInstanceEvent(ctx.db, {
    instanceId: inst.id,
    kind: "action",
    message: msg("events.snapshotRequested", { name: input.name, user: actor.username }),
    actorId: actor.id,
  });
  return (await listSnapshots(ctx, inst.id)).find((s) => s.id === id)!;
}

export async function revertSnapshot(ctx: DomainContext, id: string): Promise<SnapshotView> {
  const actor = requireActor(ctx);
  const { snap, inst } = await loadSnapshotForActor(ctx, id);
  if (snap.state !== "ready")
    throw new DomainError("CONFLICT", msg("snapshots.notReady", { state: snap.state }));
  if (inst.state !== "STOPPED" || inst.task) {
    throw new DomainError(
      "CONFLICT",
      inst.state === "RUNNING"
        ? msg("snapshots.stopFirst")
        : msg("snapshots.mustBeStopped", { state: inst.state, task: inst.task ?? "none" }),
    );
  }
  // The instance is held ("reverting") so nobody starts it while its disk is being replaced.
  const [held] = await ctx.db
    .update(instances)
    .set({ task: "reverting", progress: null, opSeq: sql`${instances.opSeq} + 1`, updatedAt: new Date() })
    .where(and(eq(instances.id, inst.id), eq(instances.state, "STOPPED"), isNull(instances.task)));
  if (held.affectedRows === 0) throw new DomainError("CONFLICT", msg("snapshots.instanceChanged"));
  const release = () =>
    ctx.db
      .update(instances)
      .set({ task: null, updatedAt: new Date() })
      .where(and(eq(instances.id, inst.id), eq(instances.task, "reverting")));
  const [moved] = await ctx.db
    .update(snapshots)
    .set({ state: "reverting", ...errorReasonColumns(null), updatedAt: new Date() })
    .where(and(eq(snapshots.id, id), eq(snapshots.state, "ready")));
  if (moved.affectedRows === 0) {
    await release();
    throw new DomainError("CONFLICT", msg("snapshots.changed"));
  }
  const [after] = await ctx.db
    .select({ opSeq: instances.opSeq })
    .from(instances)
    .where(eq(instances.id, inst.id));
  try {
    await ctx.jobs.enqueue(
      inst.hostId!,
      "snapshot.revert",
      { instanceId: inst.id, snapshotId: id },
      `snapshot-revert-${id}-${after!.opSeq}`,
    );
  } catch {
    await ctx.db.update(snapshots).set({ state: "ready" }).where(eq(snapshots.id, id));
    await release();
    throw redisDown();
  }
  await recordInstanceEvent(ctx.db, {
    instanceId: inst.id,
    kind: "action",
    message: msg("events.revertRequested", { name: snap.name, user: actor.username }),
    actorId: actor.id,
  });
  return (await listSnapshots(ctx, inst.id)).find((s) => s.id === id)!;
}

export async function deleteSnapshot(ctx: DomainContext, id: string): Promise<{ id: string }> {
  const actor = requireActor(ctx);
  const { snap, inst } = await loadSnapshotForActor(ctx, id);
  if (snap.state === "deleting") return { id };
  if (!["ready", "error"].includes(snap.state))
    throw new DomainError("CONFLICT", msg("snapshots.busy", { state: snap.state }));
  // No disk left to remove it from: the row is all there is.
  if (!inst.hostId || inst.state === "DELETED") {
    await ctx.db
      .update(snapshots)
      .set({ state: "deleted", deletedAt: new Date(), updatedAt: new Date() })
      .where(eq(snapshots.id, id));
    return { id };
  }
  const [moved] = await ctx.db
    .update(snapshots)
    .set({ state: "deleting", ...errorReasonColumns(null), updatedAt: new Date() })
    .where(and(eq(snapshots.id, id), inArray(snapshots.state, ["ready", "error"])));
  if (moved.affectedRows === 0) throw new DomainError("CONFLICT", msg("snapshots.changed"));
  try {
    await ctx.jobs.enqueue(
      inst.hostId,
      "snapshot.delete",
      { instanceId: inst.id, snapshotId: id },
      `snapshot-delete-${id}`,
    );
  } catch {
    await ctx.db.update(snapshots).set({ state: snap.state }).where(eq(snapshots.id, id));
    throw redisDown();
  }
  await recordInstanceEvent(ctx.db, {
    instanceId: inst.id,
    kind: "action",
    message: msg("events.snapshotDeleteRequested", { name: snap.name, user: actor.username }),
    actorId: actor.id,
  });
  return { id };
}
