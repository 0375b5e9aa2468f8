import { reportState, type JobContext } from "./job-context";
import { prepareNics, releaseNics } from "./prepare-nics";

// Each action finds the VM's driver from the VM itself (registry.forVm). A VM no driver has is
// stopped and deleted already; it cannot be started or rebooted.

export async function handleStartInstance(ctx: JobContext, instanceId: string): Promise<void> {
  const driver = await ctx.drivers.forVm(instanceId);
  if (!driver) throw new Error(`no VM ${instanceId} on this host`);
  // After a host reboot the taps (and bridges) are gone; the driver kept the NICs in its spec.
  const spec = await driver.readSpec?.(instanceId);
  await prepareNics(ctx, driver, spec?.nics ?? []);
  const st = await driver.start(instanceId);
  await reportState(ctx, instanceId, "RUNNING", { accel: st.accel });
}

export async function handleStopInstance(
  ctx: JobContext,
  instanceId: string,
  timeoutMs: number,
): Promise<void> {
  const driver = await ctx.drivers.forVm(instanceId);
  const { forced } = driver ? await driver.stop(instanceId, { timeoutMs }) : { forced: false };
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
  const driver = await ctx.drivers.forVm(instanceId);
  if (!driver) throw new Error(`cannot reboot VM ${instanceId}: it is not running`);
  await driver.reboot(instanceId);
  await reportState(ctx, instanceId, "RUNNING");
}

export async function handleDeleteInstance(ctx: JobContext, instanceId: string): Promise<void> {
  const driver = await ctx.drivers.forVm(instanceId);
  if (driver) {
    // Read before the driver deletes its spec. If an earlier attempt already deleted the VM, its NICs
    // are unknown here; the network sweep (listLeftovers) shows what is left of them.
    const spec = await driver.readSpec?.(instanceId).catch(() => null);
    await driver.delete(instanceId);
    await releaseNics(ctx, driver, spec?.nics ?? []);
  }
  await reportState(ctx, instanceId, "DELETED");
}
