import { and, eq, inArray, ne } from "drizzle-orm";
import { instances, labs, pools, type InstanceRow, type LabRow, type PoolRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { notFound } from "../errors";

type Reader = Pick<Database, "select">;

export async function loadLab(db: Reader, id: number): Promise<LabRow> {
  const [lab] = await db.select().from(labs).where(eq(labs.id, id));
  if (!lab) throw notFound("lab");
  return lab;
}

export async function loadPool(db: Reader, id: number): Promise<{ pool: PoolRow; lab: LabRow }> {
  const [pool] = await db.select().from(pools).where(eq(pools.id, id));
  if (!pool) throw notFound("pool");
  return { pool, lab: await loadLab(db, pool.labId) };
}

/** A pool's desktops that still exist (not deleted, nor being deleted). */
export function liveDesktopsOf(db: Reader, poolIds: number[]): Promise<InstanceRow[]> {
  if (!poolIds.length) return Promise.resolve([]);
  return db
    .select()
    .from(instances)
    .where(
      and(
        inArray(instances.poolId, poolIds),
        eq(instances.kind, "desktop"),
        ne(instances.state, "DELETED"),
        ne(instances.state, "DELETING"),
      ),
    );
}
