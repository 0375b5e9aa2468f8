import type { z } from "zod";
import type { createInstanceJob } from "../../protocol/index";
import { ensureTaps } from "./ensure-taps";
import { reportProgress, reportState, type JobContext } from "./job-context";
import { throttleReports } from "./throttle-reports";

/**
 * Fetch (or reuse) the base image, build each NIC's network and tap on this host, then let the driver
 * build the overlay and boot. Idempotent.
 */
export async function handleCreateInstance(
  ctx: JobContext,
  job: z.output<typeof createInstanceJob>,
): Promise<void> {
  const existing = await ctx.driver.status(job.instanceId);
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
    // QEMU opens the taps when it starts: they must exist, on their bridges, before.
    await ensureTaps(ctx, job.nics);
    if (existing) {
      await ctx.driver.start(job.instanceId); // built by an earlier attempt that died before reporting
    } else {
      await ctx.driver.create(
        {
          id: job.instanceId,
          name: job.name,
          vcpus: job.vcpus,
          memoryMiB: job.memoryMiB,
          diskGiB: job.diskGiB,
          baseImagePath: base.path,
          baseImageFormat: job.image.format,
          accel: ctx.accel,
          nics: job.nics,
        },
        (p) => progress(60 + Math.round(p.percent * 0.4), p.message),
      );
    }
  } finally {
    base.release(); // the record names the image now, or creation failed and nothing uses it
  }
  await reportState(ctx, job.instanceId, "RUNNING", { accel: ctx.accel });
}
