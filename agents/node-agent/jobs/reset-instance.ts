// instance.reset: back to the base ("the profile's state"). The VM is powered off at once, its disk made
// fresh from its base — or from the job's image, fetched into the cache first exactly as create does —
// and started again. Progress as instance.progress; the outcome as instance.state RUNNING with the
// job's id. A failure throws: the worker reports the instance as ERROR with the reason, as for the
// other power jobs.
import type { z } from "zod";
import type { resetInstanceJob } from "../../protocol/index";
import { PermanentJobError } from "../permanent-job-error";
import { reportProgress, reportState, type JobContext } from "./job-context";
import { prepareNics } from "./prepare-nics";
import { throttleReports } from "./throttle-reports";

type ResetJob = z.output<typeof resetInstanceJob>;

export async function handleResetInstance(ctx: JobContext, job: ResetJob): Promise<void> {
  const driver = await ctx.drivers.forVm(job.instanceId);
  if (!driver) throw new Error(`no VM ${job.instanceId} on this host`);
  // Retrying cannot give the driver a reset: fail at once.
  if (!driver.reset) throw new PermanentJobError(`the ${driver.kind} driver does not support reset`);
  const progress = throttleReports(
    (percent: number, message: string) => reportProgress(ctx, job.instanceId, percent, message),
    { quietStart: true },
  );
  // Leased, like create: the cache must not evict the new base before the VM's record names it.
  const base = job.image
    ? await ctx.images.lease(job.image, (f) =>
        progress(Math.round(f * 50), `Fetching the base image: ${Math.round(f * 100)}%`),
      )
    : null;
  try {
    // After a host reboot the taps are gone: the NICs the driver kept must be there before QEMU starts.
    const spec = await driver.readSpec?.(job.instanceId);
    await prepareNics(ctx, driver, spec?.nics ?? []);
    const status = await driver.reset(
      job.instanceId,
      base && job.image ? { baseImagePath: base.path, baseImageFormat: job.image.format } : undefined,
      (p) => progress(50 + Math.round(p.percent / 2), p.message),
    );
    await reportState(ctx, job.instanceId, "RUNNING", { accel: status.accel });
  } finally {
    base?.release();
  }
}
