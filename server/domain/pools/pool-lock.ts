// Counting a pool's desktops and placing more must be one decision across every process that places
// (the portal's hand-out, the background worker's controller, a second portal): otherwise two of them
// both see the pool's last place free and it ends up over its size. The pool's row is locked FOR UPDATE
// for the decision; the placement itself runs through `db` (its own connections and transactions, as
// everywhere), and commits before the lock is let go, so the next holder counts what it made.
import { eq } from "drizzle-orm";
import { pools, type PoolRow } from "@/db/schema";
import type { Database } from "@/server/db/client";

/** Runs `decide` holding the pool's row lock, with the pool as it is now; null when the pool is gone. */
export async function withPoolLock<T>(
  db: Database,
  poolId: number,
  decide: (pool: PoolRow) => Promise<T>,
): Promise<T | null> {
  return db.transaction(async (tx) => {
    const [pool] = await tx.select().from(pools).where(eq(pools.id, poolId)).for("update");
    if (!pool) return null;
    return decide(pool);
  });
}
