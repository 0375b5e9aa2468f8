// Resize of a stopped instance to another flavor. The instance row takes the new size up front, in the
// transaction that reserves it: quota (the owner's and the group's locks, first) and the room on its own
// host (its host_usage row, locked after them, the order placement locks in) are checked against the
// increase only, and the triggers on `instances` move host_usage with the row. So while the host works
// on it, quota and host capacity count the larger of the two sizes, never the smaller; a failed resize
// puts the old size back (instances/apply-resize-event.ts). The instance stays on its host: no migration.
import { and, eq, isNull, sql } from "drizzle-orm";
import { canResize } from "@/common/instance-states";
import { msg } from "@/common/message";
import type { ResizeInstanceInput } from "@/common/instances";
import { flavors, groups, hostUsage, hosts, instances, type FlavorRow, type InstanceRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type Actor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { catalogueAllowsFlavor, readCatalogue } from "../groups/catalogue";
import { isHostUp } from "../hosts/find-hosts";
import { reserveQuota } from "../quotas/reserve-quota";
import { rejectReason, type PlacementPolicy } from "../scheduler/pick-host";
import { getInstance, loadInstanceForActor, type InstanceView } from "../instances/find-instances";
import { renderEnglish } from "../render-english";
import { recordInstanceEvent } from "../instances/record-event";
import { RESIZE_TASK, resizeJobId, restoreSize } from "../instances/resize-state";

type Size = { vcpus: number; memoryMiB: number; diskGiB: number };
type Reader = Pick<Database, "select">;

function assertStopped(i: Pick<InstanceRow, "state" | "task" | "hostId">): void {
  // A stopped instance has a host (the VM's files are there); the check keeps the types honest.
  if (!canResize(i) || !i.hostId)
    throw new DomainError("CONFLICT", msg("resize.notStopped", { state: i.state, task: i.task ?? "none" }));
}

/**
 * Which flavors this actor may give the instance: superAdm any; everyone else those of the instance's
 * group's catalogue (a student's machine follows the class's catalogue, whoever resizes it).
 */
async function assertFlavorAllowed(db: Reader, actor: Actor, inst: InstanceRow, flavor: FlavorRow) {
  if (actor.role === "superAdm") return;
  if (inst.groupId === null)
    throw new DomainError("FORBIDDEN", msg("resize.noGroup"), { flavorId: msg("field.notInCatalogue") });
  if (catalogueAllowsFlavor(await readCatalogue(db, inst.groupId), flavor)) return;
  const [g] = await db.select({ name: groups.name }).from(groups).where(eq(groups.id, inst.groupId));
  throw new DomainError(
    "FORBIDDEN",
    msg("catalogue.flavorNotAllowed", { flavor: flavor.name, group: g?.name ?? String(inst.groupId) }),
    { flavorId: msg("field.notInCatalogue") },
  );
}

/**
 * Locks the host's usage row and refuses when the host, under the placement's overcommit rules, has no
 * room for the increase. A resize that grows nothing needs only a host that is up (its agent does the
 * work); it never takes room.
 */
async function assertHostRoom(tx: Reader, ctx: DomainContext, hostId: string, increase: Size): Promise<void> {
  const grows = increase.vcpus > 0 || increase.memoryMiB > 0 || increase.diskGiB > 0;
  const [usage] = await tx
    .select({
      vcpusUsed: hostUsage.vcpusUsed,
      memoryMiBUsed: hostUsage.memoryMiBUsed,
      diskGiBUsed: hostUsage.diskGiBUsed,
    })
    .from(hostUsage)
    .where(eq(hostUsage.hostId, hostId))
    .for("update");
  const [host] = await tx.select().from(hosts).where(eq(hosts.id, hostId));
  if (!host) throw notFound("host");
  const up = isHostUp(host.lastHeartbeatAt, new Date(), ctx.settings.hostDownAfterSeconds);
  const policy: PlacementPolicy = {
    cpuOvercommit: ctx.settings.cpuOvercommit,
    ramOvercommit: ctx.settings.ramOvercommit,
    diskOvercommit: ctx.settings.diskOvercommit,
    strategy: ctx.settings.schedulerStrategy,
  };
  const candidate = {
    id: host.id,
    name: host.name,
    // A disabled host takes no new instances, and no more room for old ones either.
    enabled: host.enabled || !grows,
    up: up && host.revokedAt === null,
    cpuCount: host.cpuCount,
    memoryMiB: host.memoryMiB,
    vcpusUsed: usage?.vcpusUsed ?? 0,
    memoryMiBUsed: usage?.memoryMiBUsed ?? 0,
    diskFreeBytes: host.diskFreeBytes,
    diskGiBUsed: usage?.diskGiBUsed ?? 0,
    // The VM is already built with one of them; which one does not matter here.
    hypervisors: ["any"],
    hasImageCached: true,
  };
  const reason = rejectReason(candidate, increase, policy);
  if (reason)
    throw new DomainError(
      "CONFLICT",
      msg("resize.hostFull", { details: `${host.name}: ${renderEnglish(reason)}` }),
      undefined,
      [{ subject: host.name, message: reason }],
    );
}

export async function resizeInstance(ctx: DomainContext, input: ResizeInstanceInput): Promise<InstanceView> {
  const actor = requireActor(ctx);
  const current = await loadInstanceForActor(ctx, input.id);
  assertStopped(current);
  const [flavor] = await ctx.db.select().from(flavors).where(eq(flavors.id, input.flavorId));
  if (!flavor) throw notFound("flavor");
  const [fromFlavor] = await ctx.db.select().from(flavors).where(eq(flavors.id, current.flavorId));
  const fromName = fromFlavor?.name ?? String(current.flavorId);
  if (flavor.id === current.flavorId)
    throw new DomainError("CONFLICT", msg("resize.sameFlavor", { flavor: flavor.name }), {
      flavorId: msg("resize.sameFlavor", { flavor: flavor.name }),
    });
  await assertFlavorAllowed(ctx.db, actor, current, flavor);
  if (flavor.diskGiB < current.diskGiB) {
    const why = msg("resize.diskShrinks", { flavor: flavor.name, from: current.diskGiB, to: flavor.diskGiB });
    throw new DomainError("CONFLICT", why, { flavorId: why });
  }
  const from: Size = { vcpus: current.vcpus, memoryMiB: current.memoryMiB, diskGiB: current.diskGiB };
  const to: Size = { vcpus: flavor.vcpus, memoryMiB: flavor.memoryMiB, diskGiB: flavor.diskGiB };
  const increase: Size = {
    vcpus: Math.max(0, to.vcpus - from.vcpus),
    memoryMiB: Math.max(0, to.memoryMiB - from.memoryMiB),
    diskGiB: Math.max(0, to.diskGiB - from.diskGiB),
  };

  const opSeq = await ctx.db.transaction(
    async (tx) => {
      // Only the increase: the instance's present size is already counted in its owner's and group's use.
      await reserveQuota(tx, {
        owners: [
          {
            ownerId: current.ownerId,
            add: { vcpus: increase.vcpus, ramMiB: increase.memoryMiB, diskGiB: increase.diskGiB },
          },
        ],
        groupId: current.groupId,
        requestedBy: actor.id,
      });
      await assertHostRoom(tx, ctx, current.hostId!, increase);
      // Conditional on the row being as it was read (stopped, idle, same size, host, owner): a start, a
      // delete or another resize that got in first wins, and the increase counted above stays right.
      const [res] = await tx
        .update(instances)
        .set({
          flavorId: flavor.id,
          ...to,
          task: RESIZE_TASK,
          progress: 0,
          opSeq: sql`${instances.opSeq} + 1`,
          updatedAt: new Date(),
        })
        .where(
          and(
            eq(instances.id, current.id),
            eq(instances.state, "STOPPED"),
            isNull(instances.task),
            eq(instances.flavorId, current.flavorId),
            eq(instances.vcpus, from.vcpus),
            eq(instances.memoryMiB, from.memoryMiB),
            eq(instances.diskGiB, from.diskGiB),
            eq(instances.hostId, current.hostId!),
            // Same owner and group as the quota was reserved for: a hand-over in between wins.
            eq(instances.ownerId, current.ownerId),
            current.groupId === null ? isNull(instances.groupId) : eq(instances.groupId, current.groupId),
          ),
        );
      if (res.affectedRows === 0) {
        const [now] = await tx
          .select({ state: instances.state, task: instances.task })
          .from(instances)
          .where(eq(instances.id, current.id));
        throw new DomainError(
          "CONFLICT",
          msg("resize.notStopped", { state: now?.state ?? "DELETED", task: now?.task ?? "none" }),
        );
      }
      // The timeline keeps the size before (what a failed resize goes back to) and who asked.
      await recordInstanceEvent(tx, {
        instanceId: current.id,
        kind: "action",
        message: resizeRequested(
          { user: actor.username, from: fromName, to: flavor.name },
          from,
          to,
          current,
        ),
        fromState: "STOPPED",
        toState: "STOPPED",
        actorId: actor.id,
      });
      const [after] = await tx
        .select({ opSeq: instances.opSeq })
        .from(instances)
        .where(eq(instances.id, current.id));
      return after!.opSeq;
    },
    { isolationLevel: "read committed" },
  );

  try {
    await ctx.jobs.enqueue(
      current.hostId!,
      "instance.resize",
      { instanceId: current.id, ...to },
      resizeJobId(current.id, opSeq),
    );
  } catch {
    await restoreSize(ctx.db, current.id, opSeq, { flavorId: current.flavorId, ...from });
    await recordInstanceEvent(ctx.db, {
      instanceId: current.id,
      kind: "error",
      message: msg("resize.agentUnreachable"),
    });
    throw new DomainError("UNAVAILABLE", msg("resize.agentUnreachable"));
  }
  return getInstance(ctx, current.id);
}

/**
 * The timeline entry of a request. Its parameters hold the size before, with the flavor's id
 * (fromFlavorId, not shown in the text), so a failed resize can put it back.
 */
function resizeRequested(
  who: { user: string; from: string; to: string },
  from: Size,
  to: Size,
  current: InstanceRow,
) {
  const params = {
    ...who,
    fromVcpus: from.vcpus,
    fromMemoryMiB: from.memoryMiB,
    fromDiskGiB: from.diskGiB,
    ...to,
    fromFlavorId: current.flavorId,
  };
  return msg("resize.requested", params);
}

export interface ResizeChoice {
  id: number;
  name: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
}

/**
 * The flavors the resize dialog offers: those the instance's catalogue allows (every one for superAdm)
 * whose disk is at least the instance's. Quota and the host's room are checked when it is asked for.
 */
export async function listResizeChoices(
  ctx: DomainContext,
  id: string,
): Promise<{ current: ResizeChoice; flavors: ResizeChoice[] }> {
  const actor = requireActor(ctx);
  const inst = await loadInstanceForActor(ctx, id);
  const all = await ctx.db.select().from(flavors).orderBy(flavors.vcpus, flavors.memoryMiB, flavors.name);
  const cat =
    actor.role === "superAdm" || inst.groupId === null ? null : await readCatalogue(ctx.db, inst.groupId);
  const allowed = (f: FlavorRow) =>
    actor.role === "superAdm" || (cat !== null && catalogueAllowsFlavor(cat, f));
  const pick = ({ id, name, vcpus, memoryMiB, diskGiB }: FlavorRow): ResizeChoice => ({
    id,
    name,
    vcpus,
    memoryMiB,
    diskGiB,
  });
  const currentFlavor = all.find((f) => f.id === inst.flavorId);
  return {
    current: {
      id: inst.flavorId,
      name: currentFlavor?.name ?? String(inst.flavorId),
      vcpus: inst.vcpus,
      memoryMiB: inst.memoryMiB,
      diskGiB: inst.diskGiB,
    },
    flavors: all.filter((f) => f.id !== inst.flavorId && f.diskGiB >= inst.diskGiB && allowed(f)).map(pick),
  };
}
