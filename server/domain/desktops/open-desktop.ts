// Hand-out (F5): a student opening a lab gets the desktop already theirs there, else a running spare one
// claimed under a row lock that others skip (two students can never get the same desktop, and N at once
// do not queue on one row: see claimSpare),
// else, while the pool has room, one made for them (BUILDING: the page waits for RUNNING).
import { and, eq, inArray, isNull, notInArray, sql } from "drizzle-orm";
import { msg } from "@/common/message";
import { instances, pools, type InstanceState } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { makeDesktops } from "../pools/control-pools";
import { liveDesktopsOf, loadLab } from "../pools/load-pool";
import { nudgePools } from "../pools/pool-nudge";
import { withPoolLock } from "../pools/pool-lock";
import { notASeat } from "./seats";

export interface OpenedDesktop {
  instanceId: string;
  state: InstanceState;
  labId: number;
  /** Made for this student just now (not running yet). */
  made: boolean;
}

// Making a desktop for a student is counted against the pool's room under the pool's row lock, which
// holds across processes (pool-lock.ts). Within this process the makers of one pool also queue here, so
// that N students at once hold one database connection waiting on that lock, not N (which could take
// every connection of the pool of connections while the holder needs one to place).
const making = new Map<number, Promise<unknown>>();

export async function openDesktop(ctx: DomainContext, labId: number): Promise<OpenedDesktop> {
  const actor = requireActor(ctx);
  const lab = await loadLab(ctx.db, labId);
  assertMayActOn(actor, "desktops", { lab: { groupId: lab.groupId } });
  const labPools = await ctx.db.select().from(pools).where(eq(pools.labId, lab.id));
  const poolIds = labPools.map((p) => p.id);
  if (!poolIds.length) throw new DomainError("CONFLICT", msg("desktops.noPool", { lab: lab.name }));

  const mine = () =>
    ctx.db
      .select({ id: instances.id, state: instances.state })
      .from(instances)
      .where(
        and(
          inArray(instances.poolId, poolIds),
          eq(instances.assignedTo, actor.id),
          notInArray(instances.state, ["DELETED", "DELETING", "ERROR"]),
        ),
      )
      .orderBy(instances.assignedAt);
  const [already] = await mine();
  if (already) return { instanceId: already.id, state: already.state, labId, made: false };

  const running = labPools.filter((p) => p.state === "running").map((p) => p.id);
  if (!running.length) throw new DomainError("CONFLICT", msg("desktops.noPool", { lab: lab.name }));
  // A claim that found every spare row locked at that instant (other claims, or the heartbeat's
  // reconcile updating the host's rows) tries again shortly while spare rows exist; it never waits on one.
  let claimedOne = false;
  for (let attempt = 0; attempt < 20 && !claimedOne; attempt++) {
    claimedOne = await claimSpare(ctx, running, actor.id);
    if (!claimedOne && (await countSpare(ctx, running)) === 0) break;
    if (!claimedOne) await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  }
  if (claimedOne) {
    const [claimed, ...extra] = await mine();
    // The same student opening twice at once: keep the first, give the others back.
    for (const e of extra)
      await ctx.db
        .update(instances)
        .set({ assignedTo: null, assignedAt: null })
        .where(and(eq(instances.id, e.id), eq(instances.assignedTo, actor.id)));
    nudgePools();
    return { instanceId: claimed!.id, state: claimed!.state, labId, made: false };
  }

  // No spare one: make one for them while a running pool has room.
  for (const pool of labPools.filter((p) => p.state === "running")) {
    const prev = making.get(pool.id) ?? Promise.resolve();
    const mineNow = prev.then(() =>
      withPoolLock(ctx.db, pool.id, async (now) => {
        if (now.state !== "running") return null;
        const live = await liveDesktopsOf(ctx.db, [now.id]);
        if (live.length >= now.size) return null;
        const [made] = await makeDesktops(ctx, now, 1);
        if (!made) return null;
        await ctx.db
          .update(instances)
          .set({ assignedTo: actor.id, assignedAt: new Date() })
          .where(and(eq(instances.id, made.id), isNull(instances.assignedTo)));
        return made;
      }),
    );
    making.set(
      pool.id,
      mineNow.catch(() => undefined),
    );
    const made = await mineNow;
    if (made) return { instanceId: made.id, state: made.state as InstanceState, labId, made: true };
  }
  throw new DomainError("CONFLICT", msg("desktops.noneFree", { lab: lab.name }));
}

/** Running spare desktops of these pools (never a terminal's seat), read without locks. */
async function countSpare(ctx: DomainContext, poolIds: number[]): Promise<number> {
  const [row] = await ctx.db
    .select({ n: sql<string>`count(*)` })
    .from(instances)
    .where(
      and(
        inArray(instances.poolId, poolIds),
        eq(instances.kind, "desktop"),
        isNull(instances.assignedTo),
        eq(instances.state, "RUNNING"),
        isNull(instances.task),
        notASeat(ctx.db),
      ),
    );
  return Number(row?.n ?? 0);
}

/**
 * Claims one running spare desktop of these pools for the user: the row is locked FOR UPDATE SKIP LOCKED
 * (a row another claim holds is skipped, not waited on, so N students at once take N different rows
 * without queueing on the first), then assigned in the same transaction. Read committed: rows looked at
 * and not taken are not kept locked.
 */
async function claimSpare(ctx: DomainContext, poolIds: number[], userId: number): Promise<boolean> {
  return ctx.db.transaction(
    async (tx) => {
      const [row] = await tx
        .select({ id: instances.id })
        .from(instances)
        .where(
          and(
            inArray(instances.poolId, poolIds),
            eq(instances.kind, "desktop"),
            isNull(instances.assignedTo),
            eq(instances.state, "RUNNING"),
            isNull(instances.task),
            notASeat(ctx.db),
          ),
        )
        .limit(1)
        .for("update", { skipLocked: true });
      if (!row) return false;
      const [res] = await tx
        .update(instances)
        .set({ assignedTo: userId, assignedAt: sql`CURRENT_TIMESTAMP(3)` })
        .where(and(eq(instances.id, row.id), isNull(instances.assignedTo)));
      return res.affectedRows === 1;
    },
    { isolationLevel: "read committed" },
  );
}
