// Local desktops are for lab PCs only: hosts in a cluster of kind "local" (the scheduler places nothing
// on them). Any other host's credential gets nothing from the local-desktop endpoints.
import { and, eq } from "drizzle-orm";
import { msg } from "@/common/message";
import { clusters, hosts } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { DomainError } from "../errors";

export async function isLocalHost(db: Pick<Database, "select">, hostId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: hosts.id })
    .from(hosts)
    .innerJoin(clusters, eq(clusters.id, hosts.clusterId))
    .where(and(eq(hosts.id, hostId), eq(clusters.kind, "local")));
  return !!row;
}

export async function assertLocalHost(db: Pick<Database, "select">, hostId: string): Promise<void> {
  if (!(await isLocalHost(db, hostId))) throw new DomainError("FORBIDDEN", msg("localDesktops.notLocalHost"));
}
