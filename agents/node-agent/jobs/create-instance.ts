import type { z } from "zod";
import type { createInstanceJob } from "../../protocol/index";
import { reportProgress, reportState, type JobContext } from "./job-context";
import { prepareNics } from "./prepare-nics";
import { throttleReports } from "./throttle-reports";

/**
 * Fetch (or reuse) the base image, build each NIC's network on this host and prepare the NIC for the
 * job's hypervisor, then let that driver build the disk and boot. Idempotent. A hypervisor this host
 * does not offer is refused before anything is done (UnsupportedHypervisorError: not retried).
 */
export async function handleCreateInstance(
  ctx: JobContext,
  job: z.output<typeof createInstanceJob>,
): Promise<void> {
  const driver = ctx.drivers.forHypervisor(job.hypervisor);
  const accel = ctx.drivers.accelFor(driver);
  const existing = await driver.status(job.instanceId);
  if (existing?.state === "running") {
    await reportState(ctx, job.instanceId, "RUNNING", { accel: existing.accel });
    return;
  }
  const cached = await ctx.images.has(job.image);
  await reportState(ctx, job.instanceId, "BUILDING", {
    reason: cached ? "Base image is cached on this host" : "Fetching the base image",
    reasonMessage: { code: cached ? "agent.baseCached" : "agent.fetchingBase", params: {} },
  });
  // quietStart: a create that is done in 200 ms sends no progress at all (each report is a row in the
  // portal's timeline, and a burst of creates would otherwise flood the controller with reports nobody
  // can see); a slow image download still shows it moving.
  const progress = throttleReports(
    (percent: number, message: string) => reportProgress(ctx, job.instanceId, percent, message),
    { quietStart: true },
  );
  // Leased: the cache must not evict the base before the VM's record (written by create) names it.
  const base = await ctx.images.lease(job.image, (f) =>
    progress(5 + Math.round(f * 55), `Fetching the base image: ${Math.round(f * 100)}%`),
  );
  try {
    // The hypervisor plugs the NICs in when the VM starts: their networks must be there before.
    await prepareNics(ctx, driver, job.nics);
    if (existing) {
      await driver.start(job.instanceId); // built by an earlier attempt that died before reporting
    } else {
      await driver.create(
        {
          id: job.instanceId,
          name: job.name,
          vcpus: job.vcpus,
          memoryMiB: job.memoryMiB,
          diskGiB: job.diskGiB,
          baseImagePath: base.path,
          baseImageFormat: job.image.format,
          accel,
          nics: job.nics,
          ...(job.hardware && { hardware: job.hardware }),
          ...(job.throwaway && { throwaway: true }),
        },
        (p) => progress(60 + Math.round(p.percent * 0.4), p.message),
      );
    }
  } finally {
    base.release(); // the record names the image now, or creation failed and nothing uses it
  }
  await reportState(ctx, job.instanceId, "RUNNING", { accel });
}
