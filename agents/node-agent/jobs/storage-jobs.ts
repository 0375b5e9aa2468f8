// Snapshot and volume jobs. Each reports its own outcome (snapshot.state / volume.state) and
// never throws: a failed snapshot or attach is a fact about that object, not a broken instance (the
// worker turns thrown errors of jobs naming an instance into instance ERROR).
import type { z } from "zod";
import type {
  createVolumeJob,
  deleteVolumeJob,
  snapshotJob,
  volumeAttachmentJob,
} from "../../protocol/index";
import type { HypervisorDriver } from "../drivers/hypervisor-driver";
import type { JobContext } from "./job-context";

type SnapshotJob = z.output<typeof snapshotJob>;
type Op = "create" | "revert" | "delete";

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 2000);

function notSupported(driver: HypervisorDriver): Error {
  return new Error(`the ${driver.kind} driver does not support this`);
}

const noVm = (id: string) => new Error(`no VM ${id} on this host`);

export async function handleSnapshotJob(ctx: JobContext, op: Op, job: SnapshotJob): Promise<void> {
  const send = (
    state: "created" | "reverted" | "deleted" | "failed",
    extra: { sizeBytes?: number; reason?: string } = {},
  ) =>
    ctx.events.send({
      type: "snapshot.state",
      hostId: ctx.hostId,
      at: new Date(),
      instanceId: job.instanceId,
      snapshotId: job.snapshotId,
      state,
      operation: op,
      jobId: ctx.jobId,
      ...extra,
    });
  try {
    const d = await ctx.drivers.forVm(job.instanceId);
    // The instance (and its disk with every snapshot) may be gone already: nothing left to delete.
    if (!d && op === "delete") return void (await send("deleted"));
    if (!d) throw noVm(job.instanceId);
    if (op === "create") {
      if (!d.createSnapshot) throw notSupported(d);
      const { sizeBytes } = await d.createSnapshot(job.instanceId, job.snapshotId);
      await send("created", { sizeBytes });
    } else if (op === "revert") {
      if (!d.revertSnapshot) throw notSupported(d);
      await d.revertSnapshot(job.instanceId, job.snapshotId);
      await send("reverted");
    } else {
      if (!d.deleteSnapshot) throw notSupported(d);
      if (d.readSpec && !(await d.readSpec(job.instanceId))) return void (await send("deleted"));
      await d.deleteSnapshot(job.instanceId, job.snapshotId);
      await send("deleted");
    }
  } catch (err) {
    ctx.log.warn({ err: reasonOf(err), op, snapshotId: job.snapshotId }, "snapshot job failed");
    await send("failed", { reason: reasonOf(err) });
  }
}

type VolumeOp = "create" | "attach" | "detach" | "delete";
type VolumeJob =
  z.output<typeof createVolumeJob> | z.output<typeof volumeAttachmentJob> | z.output<typeof deleteVolumeJob>;

export async function handleVolumeJob(ctx: JobContext, op: VolumeOp, job: VolumeJob): Promise<void> {
  const instanceId = "instanceId" in job ? job.instanceId : undefined;
  const send = (state: "created" | "attached" | "detached" | "deleted" | "failed", reason?: string) =>
    ctx.events.send({
      type: "volume.state",
      hostId: ctx.hostId,
      at: new Date(),
      volumeId: job.volumeId,
      state,
      operation: op,
      jobId: ctx.jobId,
      ...(instanceId ? { instanceId } : {}),
      ...(reason ? { reason } : {}),
    });
  try {
    if (op === "create") {
      const d = ctx.drivers.forVolumes();
      if (!d.createVolume || !("sizeGiB" in job)) throw notSupported(d);
      await d.createVolume(job.volumeId, job.sizeGiB);
      await send("created");
    } else if (op === "delete") {
      const d = ctx.drivers.forVolumes();
      if (!d.deleteVolume) throw notSupported(d);
      await d.deleteVolume(job.volumeId);
      await send("deleted");
    } else {
      const d = instanceId ? await ctx.drivers.forVm(instanceId) : null;
      if (op === "attach") {
        if (!instanceId || !d) throw noVm(instanceId ?? "(none)");
        if (!d.attachVolume) throw notSupported(d);
        await d.attachVolume(instanceId, job.volumeId);
        await send("attached");
      } else {
        // A deleted VM has let go of its volumes with its spec.
        if (d && instanceId && (!d.readSpec || (await d.readSpec(instanceId)))) {
          if (!d.detachVolume) throw notSupported(d);
          await d.detachVolume(instanceId, job.volumeId);
        }
        await send("detached");
      }
    }
  } catch (err) {
    ctx.log.warn({ err: reasonOf(err), op, volumeId: job.volumeId }, "volume job failed");
    await send("failed", reasonOf(err));
  }
}
