// Hand-out (F5): a student opening a lab gets the desktop already theirs there, else a running spare one
// claimed with one conditional UPDATE (two students can never get the same desktop: the row they both
// aim at is taken by whoever updates it first, the other's UPDATE matches nothing and tries the next),
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

export interface OpenedDesktop {
  instanceId: string;
  state: InstanceState;
  labId: number;
  /** Made for this student just now (not running yet). */
  made: boolean;
}

// Making a desktop for a student is counted against the pool's room first; one at a time per pool in
// this process (the portal runs one), so two students cannot both take the pool's last place.
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
  // One statement claims one row: a random start spreads concurrent claims over the spare rows.
  const [res] = await ctx.db.execute(sql`
    UPDATE ${instances} SET assigned_to = ${actor.id}, assigned_at = CURRENT_TIMESTAMP(3)
    WHERE pool_id IN (${sql.join(
      running.map((id) => sql`${id}`),
      sql`, `,
    )}) AND kind = 'desktop' AND assigned_to IS NULL AND state = 'RUNNING' AND task IS NULL
    ORDER BY (id > ${randomHex()}) DESC, id LIMIT 1`);
  if ((res as unknown as { affectedRows: number }).affectedRows === 1) {
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
    const mineNow = prev.then(async () => {
      const live = await liveDesktopsOf(ctx.db, [pool.id]);
      if (live.length >= pool.size) return null;
      const [made] = await makeDesktops(ctx, pool, 1);
      if (!made) return null;
      await ctx.db
        .update(instances)
        .set({ assignedTo: actor.id, assignedAt: new Date() })
        .where(and(eq(instances.id, made.id), isNull(instances.assignedTo)));
      return made;
    });
    making.set(
      pool.id,
      mineNow.catch(() => undefined),
    );
    const made = await mineNow;
    if (made) return { instanceId: made.id, state: made.state as InstanceState, labId, made: true };
  }
  throw new DomainError("CONFLICT", msg("desktops.noneFree", { lab: lab.name }));
}

const randomHex = () =>
  Math.floor(Math.random() * 16 ** 8)
    .toString(16)
    .padStart(8, "0");
