// Data volumes. A volume is a qcow2 on one host (the host of the instance it was created for) and
// can be attached only to instances on that host. It belongs to the instance's owner and group, and
// counts in their disk (GiB) quota, with instance disks, until it is deleted. The agent reports each
// job's outcome (apply-volume-event.ts).
import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, ne, or, sql, type SQL } from "drizzle-orm";
import { MAX_VOLUMES_PER_INSTANCE } from "@/agents/protocol/storage";
import type { HostJobPayloads, JobName } from "@/agents/protocol";
import { isSettled } from "@/common/instance-states";
import { hosts, instances, users, volumes, type InstanceRow, type VolumeRow } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { loadInstanceForActor } from "../instances/find-instances";
import { assertMayActOn, visibleRowsOf } from "../policies/authorize";
import { recordInstanceEvent } from "../instances/record-event";
import { msg } from "@/common/message";
import { errorReasonColumns, storedReason } from "../reason-columns";
import { refusingAtField } from "../quotas/quota-field";
import { reserveQuota } from "../quotas/reserve-quota";

export interface VolumeView {
  id: string;
  name: string;
  sizeGiB: number;
  state: VolumeRow["state"];
  errorReason: string | null;
  /** errorReason as a code, for the reader's language. */
  errorMessage: { code: string; params: Record<string, string | number> } | null;
  host: { id: string; name: string };
  instance: { id: string; name: string } | null;
  owner: { id: number; username: string };
  groupId: number | null;
  createdAt: Date;
}

const redisDown = () => new DomainError("UNAVAILABLE", msg("unavailable.agentQueueNothingChanged"));

async function selectViews(ctx: DomainContext, where: SQL | undefined): Promise<VolumeView[]> {
  const rows = await ctx.db
    .select({ v: volumes, hostName: hosts.name, instanceName: instances.name, ownerName: users.username })
    .from(volumes)
    .innerJoin(hosts, eq(hosts.id, volumes.hostId))
    .innerJoin(users, eq(users.id, volumes.ownerId))
    .leftJoin(instances, eq(instances.id, volumes.instanceId))
    .where(and(ne(volumes.state, "deleted"), where))
    .orderBy(desc(volumes.createdAt))
    .limit(2000);
  return rows.map(({ v, hostName, instanceName, ownerName }) => ({
    id: v.id,
    name: v.name,
    sizeGiB: v.sizeGiB,
    state: v.state,
    errorReason: v.errorReason,
    errorMessage: storedReason(v),
    host: { id: v.hostId, name: hostName },
    instance: v.instanceId ? { id: v.instanceId, name: instanceName ?? v.instanceId } : null,
    owner: { id: v.ownerId, username: ownerName },
    groupId: v.groupId,
    createdAt: v.createdAt,
  }));
}

/**
 * Without an instance: every volume the caller may see. With one: the volumes that matter on its page —
 * those attached to it, and its owner's volumes on its host that could be.
 */
export async function listVolumes(
  ctx: DomainContext,
  input: { instanceId?: string } = {},
): Promise<VolumeView[]> {
  const actor = requireActor(ctx);
  if (!input.instanceId) return selectViews(ctx, visibleRowsOf(actor, "volumes", ctx.db) ?? undefined);
  const inst = await loadInstanceForActor(ctx, input.instanceId);
  const onHost = inst.hostId
    ? and(eq(volumes.hostId, inst.hostId), eq(volumes.ownerId, inst.ownerId))
    : undefined;
  return selectViews(
    ctx,
    onHost ? or(eq(volumes.instanceId, inst.id), onHost) : eq(volumes.instanceId, inst.id),
  );
}

async function loadVolumeForActor(ctx: DomainContext, id: string): Promise<VolumeRow> {
  const actor = requireActor(ctx);
  const [row] = await ctx.db.select().from(volumes).where(eq(volumes.id, id));
  if (!row || row.state === "deleted") throw notFound("volume");
  assertMayActOn(actor, "volumes", row);
  return row;
}

const viewOf = async (ctx: DomainContext, id: string) => (await selectViews(ctx, eq(volumes.id, id)))[0]!;

export async function createVolume(
  ctx: DomainContext,
  input: { instanceId: string; name: string; sizeGiB: number },
): Promise<VolumeView> {
  const actor = requireActor(ctx);
  const inst = await loadInstanceForActor(ctx, input.instanceId);
  if (!inst.hostId || inst.state === "DELETED" || inst.state === "DELETING") {
    throw new DomainError("CONFLICT", msg("volumes.noHostYet"));
  }
  const id = randomUUID();
  // The owner's and the group's quota locks serialise concurrent creates: two cannot both fit the last GiB.
  await ctx.db.transaction(async (tx) => {
    await refusingAtField(
      "sizeGiB",
      reserveQuota(tx, {
        owners: [{ ownerId: inst.ownerId, add: { diskGiB: input.sizeGiB } }],
        groupId: inst.groupId,
        requestedBy: actor.id,
      }),
    );
    await tx.insert(volumes).values({
      id,
      name: input.name,
      ownerId: inst.ownerId,
      groupId: inst.groupId,
      hostId: inst.hostId!,
      sizeGiB: input.sizeGiB,
    });
  });
  try {
    await ctx.jobs.enqueue(
      inst.hostId,
      "volume.create",
      { volumeId: id, sizeGiB: input.sizeGiB },
      `volume-create-${id}`,
    );
  } catch {
    await ctx.db.delete(volumes).where(eq(volumes.id, id));
    throw redisDown();
  }
  return viewOf(ctx, id);
}

/** Moves the volume from one state to another for a new job; returns the job's sequence number. */
async function claim(
  ctx: DomainContext,
  v: VolumeRow,
  from: VolumeRow["state"][],
  to: VolumeRow["state"],
  set: Partial<VolumeRow> = {},
): Promise<number> {
  const [res] = await ctx.db
    .update(volumes)
    .set({
      ...set,
      state: to,
      ...errorReasonColumns(null),
      opSeq: sql`${volumes.opSeq} + 1`,
      updatedAt: new Date(),
    })
    .where(and(eq(volumes.id, v.id), inArray(volumes.state, from)));
  if (res.affectedRows === 0)
    throw new DomainError("CONFLICT", msg("volumes.cannotNow", { state: v.state, action: to }));
  const [row] = await ctx.db.select({ opSeq: volumes.opSeq }).from(volumes).where(eq(volumes.id, v.id));
  return row!.opSeq;
}

async function enqueueOrUndo<N extends JobName>(
  ctx: DomainContext,
  v: VolumeRow,
  name: N,
  data: HostJobPayloads[N],
  jobId: string,
): Promise<void> {
  try {
    await ctx.jobs.enqueue(v.hostId, name, data, jobId);
  } catch {
    await ctx.db
      .update(volumes)
      .set({ state: v.state, instanceId: v.instanceId, updatedAt: new Date() })
      .where(eq(volumes.id, v.id));
    throw redisDown();
  }
}

export async function attachVolume(
  ctx: DomainContext,
  input: { id: string; instanceId: string },
): Promise<VolumeView> {
  const actor = requireActor(ctx);
  const v = await loadVolumeForActor(ctx, input.id);
  const inst: InstanceRow = await loadInstanceForActor(ctx, input.instanceId);
  if (v.state !== "available")
    throw new DomainError("CONFLICT", msg("volumes.notAvailable", { state: v.state }));
  // Whoever the instance belongs to can read the disk: a volume goes only to its own owner's instances.
  if (inst.ownerId !== v.ownerId) throw new DomainError("CONFLICT", msg("volumes.otherOwner"));
  if (inst.hostId !== v.hostId) throw new DomainError("CONFLICT", msg("volumes.otherHost"));
  if (!isSettled(inst)) {
    throw new DomainError(
      "CONFLICT",
      msg("instances.volumeNotNow", { state: inst.state, task: inst.task ?? "none" }),
    );
  }
  const [count] = await ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(volumes)
    .where(
      and(eq(volumes.instanceId, inst.id), inArray(volumes.state, ["attaching", "attached", "detaching"])),
    );
  if (Number(count?.n ?? 0) >= MAX_VOLUMES_PER_INSTANCE)
    throw new DomainError("CONFLICT", msg("volumes.tooMany", { max: MAX_VOLUMES_PER_INSTANCE }));
  const seq = await claim(ctx, v, ["available"], "attaching", { instanceId: inst.id });
  await enqueueOrUndo(
    ctx,
    v,
    "volume.attach",
    { volumeId: v.id, instanceId: inst.id },
    `volume-attach-${v.id}-${seq}`,
  );
  await recordInstanceEvent(ctx.db, {
    instanceId: inst.id,
    kind: "action",
    message: msg("events.attachRequested", { name: v.name, user: actor.username }),
    actorId: actor.id,
  });
  return viewOf(ctx, v.id);
}

export async function detachVolume(ctx: DomainContext, id: string): Promise<VolumeView> {
  const actor = requireActor(ctx);
  const v = await loadVolumeForActor(ctx, id);
  if (v.state !== "attached" || !v.instanceId)
    throw new DomainError("CONFLICT", msg("volumes.notAttached", { state: v.state }));
  const [inst] = await ctx.db.select().from(instances).where(eq(instances.id, v.instanceId));
  const seq = await claim(ctx, v, ["attached"], "detaching");
  await enqueueOrUndo(
    ctx,
    v,
    "volume.detach",
    { volumeId: v.id, instanceId: v.instanceId },
    `volume-detach-${v.id}-${seq}`,
  );
  if (inst)
    await recordInstanceEvent(ctx.db, {
      instanceId: inst.id,
      kind: "action",
      message: msg("events.detachRequested", { name: v.name, user: actor.username }),
      actorId: actor.id,
    });
  return viewOf(ctx, v.id);
}

export async function deleteVolume(ctx: DomainContext, id: string): Promise<{ id: string }> {
  const v = await loadVolumeForActor(ctx, id);
  if (v.state === "deleting") return { id };
  if (v.instanceId && ["attaching", "attached", "detaching"].includes(v.state)) {
    throw new DomainError("CONFLICT", msg("volumes.detachFirst"));
  }
  const seq = await claim(ctx, v, ["available", "error"], "deleting");
  await enqueueOrUndo(ctx, v, "volume.delete", { volumeId: v.id }, `volume-delete-${v.id}-${seq}`);
  return { id };
}
