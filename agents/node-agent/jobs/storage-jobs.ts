// Snapshot and volume jobs (C4, C6). Each reports its own outcome (snapshot.state / volume.state) and
// never throws: a failed snapshot or attach is a fact about that object, not a broken instance (the
// worker turns thrown errors of jobs naming an instance into instance ERROR).
import type { z } from "zod";
import type {
  createVolumeJob,
  deleteVolumeJob,
  snapshotJob,
  volumeAttachmentJob,
} from "../../protocol/index";
import type { JobContext } from "./job-context";

type SnapshotJob = z.output<typeof snapshotJob>;
type Op = "create" | "revert" | "delete";

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 2000);

function notSupported(ctx: JobContext): Error {
  return new Error(`the ${ctx.driver.kind} driver does not support this`);
}

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
    const d = ctx.driver;
    if (op === "create") {
      if (!d.createSnapshot) throw notSupported(ctx);
      const { sizeBytes } = await d.createSnapshot(job.instanceId, job.snapshotId);
      await send("created", { sizeBytes });
    } else if (op === "revert") {
      if (!d.revertSnapshot) throw notSupported(ctx);
      await d.revertSnapshot(job.instanceId, job.snapshotId);
      await send("reverted");
    } else {
      if (!d.deleteSnapshot) throw notSupported(ctx);
      // The instance (and its disk with every snapshot) may be gone already: nothing left to delete.
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
    const d = ctx.driver;
    if (op === "create") {
      if (!d.createVolume || !("sizeGiB" in job)) throw notSupported(ctx);
      await d.createVolume(job.volumeId, job.sizeGiB);
      await send("created");
    } else if (op === "delete") {
      if (!d.deleteVolume) throw notSupported(ctx);
      await d.deleteVolume(job.volumeId);
      await send("deleted");
    } else if (op === "attach") {
      if (!d.attachVolume || !instanceId) throw notSupported(ctx);
      await d.attachVolume(instanceId, job.volumeId);
      await send("attached");
    } else {
      if (!d.detachVolume || !instanceId) throw notSupported(ctx);
      // A deleted VM has let go of its volumes with its spec.
      if (!d.readSpec || (await d.readSpec(instanceId))) await d.detachVolume(instanceId, job.volumeId);
      await send("detached");
    }
  } catch (err) {
    ctx.log.warn({ err: reasonOf(err), op, volumeId: job.volumeId }, "volume job failed");
    await send("failed", reasonOf(err));
  }
}
