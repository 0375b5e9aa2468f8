// Clusters of hosts by kind (docs/architecture.md, "Clusters"): what a superAdm manages. The scheduler
// reads them in placement (provisioning/place-instances.ts); moving a host is set-host-cluster.ts.
import { asc, count, eq, isNotNull } from "drizzle-orm";
import type { z } from "zod";
import type {
  ClusterKind,
  createClusterInput,
  deleteClusterInput,
  renameClusterInput,
} from "@/common/clusters";
import { msg } from "@/common/message";
import { clusters, hosts, type ClusterRow } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { isDuplicateKey, isForeignKeyViolation } from "../db-errors";
import { DomainError, notFound } from "../errors";

export interface ClusterView {
  id: number;
  name: string;
  kind: ClusterKind;
  description: string;
  hostCount: number;
  createdAt: Date;
}

const taken = (name: string) =>
  new DomainError("CONFLICT", msg("clusters.nameTaken", { name }), { name: msg("field.nameTaken") });

export async function listClusters(ctx: DomainContext): Promise<ClusterView[]> {
  requireActor(ctx);
  const [rows, counts] = await Promise.all([
    ctx.db.select().from(clusters).orderBy(asc(clusters.name)),
    ctx.db
      .select({ clusterId: hosts.clusterId, n: count() })
      .from(hosts)
      .where(isNotNull(hosts.clusterId))
      .groupBy(hosts.clusterId),
  ]);
  const countOf = new Map(counts.map((c) => [c.clusterId, c.n]));
  return rows.map((r) => ({ ...r, hostCount: countOf.get(r.id) ?? 0 }));
}

async function viewOf(ctx: DomainContext, id: number): Promise<ClusterView> {
  const view = (await listClusters(ctx)).find((c) => c.id === id);
  if (!view) throw notFound("cluster");
  return view;
}

export async function createCluster(
  ctx: DomainContext,
  input: z.output<typeof createClusterInput>,
): Promise<ClusterView> {
  requireActor(ctx);
  try {
    const [res] = await ctx.db.insert(clusters).values(input);
    return await viewOf(ctx, res.insertId);
  } catch (err) {
    if (isDuplicateKey(err)) throw taken(input.name);
    throw err;
  }
}

/**
 * Name and description only: the kind is what the scheduler decides by, so changing it under running
 * instances would strand them; a cluster of the other kind and host moves (checked one by one) do it.
 */
export async function renameCluster(
  ctx: DomainContext,
  input: z.output<typeof renameClusterInput>,
): Promise<ClusterView> {
  requireActor(ctx);
  const patch: Partial<ClusterRow> = { name: input.name };
  if (input.description !== undefined) patch.description = input.description;
  try {
    const [res] = await ctx.db.update(clusters).set(patch).where(eq(clusters.id, input.id));
    if (res.affectedRows === 0) throw notFound("cluster");
  } catch (err) {
    if (isDuplicateKey(err)) throw taken(input.name);
    throw err;
  }
  return viewOf(ctx, input.id);
}

/**
 * Only an empty cluster goes. The row is locked first: a host moved into it meanwhile (which locks the
 * cluster row too) waits, then finds it gone; the foreign key backs this up.
 */
export async function deleteCluster(
  ctx: DomainContext,
  input: z.output<typeof deleteClusterInput>,
): Promise<{ id: number; name: string }> {
  requireActor(ctx);
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx.select().from(clusters).where(eq(clusters.id, input.id)).for("update");
      if (!row) throw notFound("cluster");
      const n = await tx.$count(hosts, eq(hosts.clusterId, input.id));
      if (n > 0) throw new DomainError("CONFLICT", msg("clusters.notEmpty", { name: row.name, count: n }));
      // Its unused join tokens go with it (FK cascade): a host meant for it must not join in no cluster.
      await tx.delete(clusters).where(eq(clusters.id, input.id));
      return { id: row.id, name: row.name };
    });
  } catch (err) {
    if (isForeignKeyViolation(err)) {
      const [row] = await ctx.db.select().from(clusters).where(eq(clusters.id, input.id));
      throw new DomainError("CONFLICT", msg("clusters.notEmpty", { name: row?.name ?? "", count: 1 }));
    }
    throw err;
  }
}
