import type { z } from "zod";
import type { createInstanceJob } from "../../protocol/index";
import { reportState, throttledProgress, type JobContext } from "./job-context";
import { ensureTaps } from "./ensure-taps";

/**
 * Fetch (or reuse) the base image, build each NIC's network and tap on this host, then let the driver
 * build the overlay and boot. Idempotent.
 */
export async function handleCreateInstance(ctx: JobContext, job: z.output<typeof createInstanceJob>): Promise<void> {
  const existing = await ctx.driver.status(job.instanceId);
  if (existing?.state === "running") {
    await reportState(ctx, job.instanceId, "RUNNING", { accel: existing.accel });
    return;
  }
  const cached = await ctx.images.has(job.image);
  await reportState(ctx, job.instanceId, "BUILDING", { reason: cached ? "Base image is cached on this host" : "Fetching the base image" });
  const progress = throttledProgress(ctx, job.instanceId);
  const basePath = await ctx.images.ensure(job.image, (f) => progress(5 + Math.round(f * 55), `Fetching the base image: ${Math.round(f * 100)}%`));
  // QEMU opens the taps when it starts: they must exist, on their bridges, before.
  await ensureTaps(ctx, job.nics);
  if (existing) {
    await ctx.driver.start(job.instanceId); // built by an earlier attempt that died before reporting
  } else {
    await ctx.driver.create(
      { id: job.instanceId, name: job.name, vcpus: job.vcpus, memoryMiB: job.memoryMiB, diskGiB: job.diskGiB, baseImagePath: basePath, baseImageFormat: job.image.format, accel: ctx.accel, nics: job.nics },
      (p) => progress(60 + Math.round(p.percent * 0.4), p.message),
    );
  }
  await reportState(ctx, job.instanceId, "RUNNING", { accel: ctx.accel });
}
