import { ensureTaps } from "./ensure-taps";
import { reportState, type JobContext } from "./job-context";

export async function handleStartInstance(ctx: JobContext, instanceId: string): Promise<void> {
  // After a host reboot the taps (and bridges) are gone; the driver kept the NICs in its spec.
  const spec = await ctx.driver.readSpec?.(instanceId);
  await ensureTaps(ctx, spec?.nics ?? []);
  const st = await ctx.driver.start(instanceId);
  await reportState(ctx, instanceId, "RUNNING", { accel: st.accel });
}

export async function handleStopInstance(
  ctx: JobContext,
  instanceId: string,
  timeoutMs: number,
): Promise<void> {
  const { forced } = await ctx.driver.stop(instanceId, { timeoutMs });
  await reportState(
    ctx,
    instanceId,
    "STOPPED",
    forced
      ? {
          reason: `The guest did not shut down within ${Math.round(timeoutMs / 1000)} s; it was powered off.`,
          reasonMessage: { code: "agent.poweredOff", params: { seconds: Math.round(timeoutMs / 1000) } },
        }
      : {},
  );
}

export async function handleRebootInstance(ctx: JobContext, instanceId: string): Promise<void> {
  await ctx.driver.reboot(instanceId);
  await reportState(ctx, instanceId, "RUNNING");
}

export async function handleDeleteInstance(ctx: JobContext, instanceId: string): Promise<void> {
  // Read before the driver deletes its spec. If an earlier attempt already deleted the VM, its taps
  // are unknown here; the network sweep (listLeftovers) shows them.
  const spec = await ctx.driver.readSpec?.(instanceId).catch(() => null);
  await ctx.driver.delete(instanceId);
  for (const nic of spec?.nics ?? []) await ctx.network.removeTap(nic.tap);
  await reportState(ctx, instanceId, "DELETED");
}
