import type { z } from "zod";
import type { applyNetworkJob, removeNetworkJob } from "../../protocol/index";
import type { JobContext } from "./job-context";

const reportNetworkState = (
  ctx: JobContext,
  networkId: string,
  state: "applied" | "removed" | "error",
  extra: { revision?: number; reason?: string } = {},
) =>
  ctx.events.send({ type: "network.state", hostId: ctx.hostId, at: new Date(), networkId, state, ...extra });

/** Why it failed, short enough for the event (the portal shows it per host on the network's page). */
const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

/**
 * Makes the host match the spec and says so. An older spec than the one in force is ignored, and the
 * report names the revision that is in force, so the portal never records an older one as applied.
 */
export async function handleApplyNetwork(
  ctx: JobContext,
  job: z.output<typeof applyNetworkJob>,
): Promise<void> {
  const { network } = job;
  let result;
  try {
    result = await ctx.network.applyNetwork(network);
  } catch (error) {
    await reportNetworkState(ctx, network.id, "error", {
      revision: network.revision,
      reason: reasonOf(error),
    }).catch(() => undefined);
    throw error;
  }
  await reportNetworkState(ctx, network.id, "applied", {
    revision: result.revision,
    ...(!result.applied && {
      reason: `revision ${network.revision} is older than revision ${result.revision} already applied; ignored`,
    }),
  });
}

export async function handleRemoveNetwork(
  ctx: JobContext,
  job: z.output<typeof removeNetworkJob>,
): Promise<void> {
  try {
    await ctx.network.removeNetwork(job.networkId, job.bridge, job.revision);
  } catch (error) {
    await reportNetworkState(ctx, job.networkId, "error", { reason: reasonOf(error) }).catch(() => undefined);
    throw error;
  }
  await reportNetworkState(ctx, job.networkId, "removed");
}
