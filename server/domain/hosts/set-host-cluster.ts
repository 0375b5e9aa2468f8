// Moving a host into or out of a cluster: superAdm only (the agent has no say: heartbeats and facts never
// write cluster_id, and a join token decides where a new host lands).
import { and, eq, ne } from "drizzle-orm";
import type { z } from "zod";
import { clusterTakes, type setHostClusterInput } from "@/common/clusters";
import { INSTANCE_KINDS } from "@/common/instance-states";
import { msg } from "@/common/message";
import { clusters, hostUsage, hosts, instances } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { readHostUsage, toHostView, type HostView } from "./find-hosts";

/**
 * Refused while instances the new cluster does not take live on the host — stopped ones too: they hold
 * its capacity and start there again. Locks the host's usage row, the row every placement on this host
 * locks before it inserts, so no instance of the wrong kind lands between the count and the move, and a
 * placement that read the old cluster re-checks it after waiting (place-instances.ts).
 */
export async function setHostCluster(
  ctx: DomainContext,
  input: z.output<typeof setHostClusterInput>,
): Promise<HostView> {
  requireActor(ctx);
  await ctx.db.transaction(async (tx) => {
    // The cluster first: a delete of it waits for this move, and a move waits for a delete. (Exclusive:
    // MariaDB has no FOR SHARE, and two admins moving hosts into one cluster at once may well queue.)
    const [cluster] = input.clusterId
      ? await tx.select().from(clusters).where(eq(clusters.id, input.clusterId)).for("update")
      : [null];
    if (input.clusterId && !cluster) throw notFound("cluster");
    const locked = await tx
      .select({ hostId: hostUsage.hostId })
      .from(hostUsage)
      .where(eq(hostUsage.hostId, input.hostId))
      .for("update");
    const [host] = await tx.select().from(hosts).where(eq(hosts.id, input.hostId));
    if (!host || !locked.length) throw notFound("host");
    if (cluster) {
      const wrongKinds = INSTANCE_KINDS.filter((k) => !clusterTakes(cluster.kind, k));
      let wrong = 0;
      for (const kind of wrongKinds)
        wrong += await tx.$count(
          instances,
          and(eq(instances.hostId, host.id), eq(instances.kind, kind), ne(instances.state, "DELETED")),
        );
      if (wrong > 0)
        throw new DomainError(
          "CONFLICT",
          msg("clusters.wrongKindRunning", { host: host.name, count: wrong, kind: cluster.kind }),
        );
    }
    await tx.update(hosts).set({ clusterId: input.clusterId }).where(eq(hosts.id, host.id));
  });
  const [row] = await ctx.db.select().from(hosts).where(eq(hosts.id, input.hostId));
  if (!row) throw notFound("host");
  return toHostView(row, (await readHostUsage(ctx.db)).get(row.id), ctx.settings);
}
