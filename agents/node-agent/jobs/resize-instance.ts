// instance.resize: the VM's driver gives the stopped VM its new size. The outcome is reported as an
// instance.resized event and the job never throws: a failed resize is a fact about the resize (the
// portal puts the instance's old size back), not a broken instance (the worker would put a thrown
// error's instance in ERROR).
import type { z } from "zod";
import type { resizeInstanceJob } from "../../protocol/index";
import { reportProgress, type JobContext } from "./job-context";

type ResizeJob = z.output<typeof resizeInstanceJob>;

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 1500);

export async function handleResizeInstance(ctx: JobContext, job: ResizeJob): Promise<void> {
  const send = (state: "resized" | "failed", reason?: string) =>
    ctx.events.send({
      type: "instance.resized",
      hostId: ctx.hostId,
      at: new Date(),
      instanceId: job.instanceId,
      state,
      jobId: ctx.jobId,
      ...(reason
        ? {
            reason: `resize failed: ${reason}`,
            reasonMessage: { code: "agent.jobFailed", params: { job: "resize", detail: reason } },
          }
        : {}),
    });
  try {
    const driver = await ctx.drivers.forVm(job.instanceId);
    if (!driver) throw new Error(`no VM ${job.instanceId} on this host`);
    if (!driver.resize) throw new Error(`the ${driver.kind} driver does not support resizing`);
    await reportProgress(ctx, job.instanceId, 10, "resizing");
    await driver.resize(
      job.instanceId,
      { vcpus: job.vcpus, memoryMiB: job.memoryMiB, diskGiB: job.diskGiB },
      (p) => void reportProgress(ctx, job.instanceId, p.percent, p.message).catch(() => undefined),
    );
    await send("resized");
  } catch (err) {
    ctx.log.warn({ err: reasonOf(err), instanceId: job.instanceId }, "resize failed");
    await send("failed", reasonOf(err));
  }
}
