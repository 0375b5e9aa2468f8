import { reportState, type JobContext } from "./job-context";

export async function handleStartInstance(ctx: JobContext, instanceId: string): Promise<void> {
  const st = await ctx.driver.start(instanceId);
  await reportState(ctx, instanceId, "RUNNING", { accel: st.accel });
}

export async function handleStopInstance(ctx: JobContext, instanceId: string, timeoutMs: number): Promise<void> {
  const { forced } = await ctx.driver.stop(instanceId, { timeoutMs });
  await reportState(ctx, instanceId, "STOPPED", forced ? { reason: `The guest did not shut down within ${Math.round(timeoutMs / 1000)} s; it was powered off.` } : {});
}

export async function handleRebootInstance(ctx: JobContext, instanceId: string): Promise<void> {
  await ctx.driver.reboot(instanceId);
  await reportState(ctx, instanceId, "RUNNING");
}

export async function handleDeleteInstance(ctx: JobContext, instanceId: string): Promise<void> {
  await ctx.driver.delete(instanceId);
  await reportState(ctx, instanceId, "DELETED");
}
