// Pools of a lab (F5): made for a profile the lab may use, within its seats; started and stopped; deleted
// with their desktops. What a running pool holds is the controller's work (control-pools.ts).
import { and, eq, ne, sql } from "drizzle-orm";
import type { z } from "zod";
import type { createPoolInput, updatePoolInput } from "@/common/pools";
import { msg } from "@/common/message";
import { labProfiles, labs, pools, profiles, type LabRow, type PoolRow } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { isDuplicateKey } from "../db-errors";
import { DomainError, notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { deleteDesktop } from "./desktop-jobs";
import { liveDesktopsOf, loadLab, loadPool } from "./load-pool";
import { nudgePools } from "./pool-nudge";

export interface PoolView extends PoolRow {
  profileName: string;
  desktops: number;
  assigned: number;
  /** Running, unassigned, not being reset: what a student gets at once. */
  spareReady: number;
}

async function assertAdminOfLab(ctx: DomainContext, lab: LabRow): Promise<void> {
  assertMayActOn(requireActor(ctx), "pools", { labGroupId: lab.groupId });
}

function checkSizes(lab: LabRow, p: { size: number; spare: number; idleSize: number }): void {
  if (p.size > lab.seats)
    throw new DomainError(
      "INVALID",
      msg("pools.sizeOverSeats", { size: p.size, seats: lab.seats, lab: lab.name }),
    );
  if (p.spare > p.size)
    throw new DomainError("INVALID", msg("pools.spareOverSize", { spare: p.spare, size: p.size }));
  if (p.idleSize > p.size)
    throw new DomainError("INVALID", msg("pools.idleOverSize", { idleSize: p.idleSize, size: p.size }));
}

type Tx = Parameters<Parameters<DomainContext["db"]["transaction"]>[0]>[0];

/**
 * A lab is N seats: the sizes of its pools add up to at most N. Checked with the lab's row locked FOR
 * UPDATE (as updateLab takes it), so two pools made at once, or a pool and a change of seats, cannot both
 * pass on the same count. `size`: the new size of pool `poolId` (undefined: a new pool).
 */
async function assertSeatsFor(tx: Tx, labId: number, size: number, poolId?: number): Promise<void> {
  const [lab] = await tx.select().from(labs).where(eq(labs.id, labId)).for("update");
  if (!lab) throw notFound("lab");
  const [row] = await tx
    .select({ n: sql<string>`coalesce(sum(${pools.size}), 0)` })
    .from(pools)
    .where(and(eq(pools.labId, labId), poolId === undefined ? undefined : ne(pools.id, poolId)));
  const total = Number(row?.n ?? 0) + size;
  if (total > lab.seats)
    throw new DomainError("INVALID", msg("pools.seatsTaken", { lab: lab.name, seats: lab.seats, total }), {
      size: msg("pools.seatsTaken", { lab: lab.name, seats: lab.seats, total }),
    });
}

export async function listPools(ctx: DomainContext, labId: number): Promise<PoolView[]> {
  const lab = await loadLab(ctx.db, labId);
  await assertAdminOfLab(ctx, lab);
  const rows = await ctx.db
    .select({ pool: pools, profileName: profiles.name })
    .from(pools)
    .innerJoin(profiles, eq(profiles.id, pools.profileId))
    .where(eq(pools.labId, labId));
  const desktops = await liveDesktopsOf(
    ctx.db,
    rows.map((r) => r.pool.id),
  );
  return rows.map(({ pool, profileName }) => {
    const mine = desktops.filter((d) => d.poolId === pool.id);
    return {
      ...pool,
      profileName,
      desktops: mine.length,
      assigned: mine.filter((d) => d.assignedTo !== null).length,
      spareReady: mine.filter((d) => d.assignedTo === null && d.state === "RUNNING" && !d.task).length,
    };
  });
}

export async function createPool(
  ctx: DomainContext,
  input: z.output<typeof createPoolInput>,
): Promise<PoolRow> {
  const lab = await loadLab(ctx.db, input.labId);
  await assertAdminOfLab(ctx, lab);
  const [profile] = await ctx.db.select().from(profiles).where(eq(profiles.id, input.profileId));
  if (!profile) throw notFound("profile");
  const [allowed] = await ctx.db
    .select()
    .from(labProfiles)
    .where(and(eq(labProfiles.labId, lab.id), eq(labProfiles.profileId, profile.id)));
  if (!allowed)
    throw new DomainError(
      "INVALID",
      msg("pools.profileNotForLab", { profile: profile.name, lab: lab.name }),
      {
        profileId: msg("pools.profileNotForLab", { profile: profile.name, lab: lab.name }),
      },
    );
  checkSizes(lab, input);
  try {
    const id = await ctx.db.transaction(async (tx) => {
      await assertSeatsFor(tx, lab.id, input.size);
      const [res] = await tx.insert(pools).values({
        labId: lab.id,
        profileId: profile.id,
        size: input.size,
        spare: input.spare,
        idleSize: input.idleSize,
        createdBy: requireActor(ctx).id,
      });
      return res.insertId;
    });
    return (await loadPool(ctx.db, id)).pool;
  } catch (err) {
    if (isDuplicateKey(err))
      throw new DomainError("CONFLICT", msg("pools.exists", { lab: lab.name, profile: profile.name }));
    throw err;
  }
}

export async function updatePool(
  ctx: DomainContext,
  input: z.output<typeof updatePoolInput>,
): Promise<PoolRow> {
  const { pool, lab } = await loadPool(ctx.db, input.id);
  await assertAdminOfLab(ctx, lab);
  const next = {
    size: input.size ?? pool.size,
    spare: input.spare ?? pool.spare,
    idleSize: input.idleSize ?? pool.idleSize,
  };
  checkSizes(lab, next);
  await ctx.db.transaction(async (tx) => {
    await assertSeatsFor(tx, lab.id, next.size, pool.id);
    await tx
      .update(pools)
      .set({ ...next, updatedAt: new Date() })
      .where(eq(pools.id, pool.id));
  });
  nudgePools();
  return (await loadPool(ctx.db, pool.id)).pool;
}

/** Running: the controller keeps its desktops; stopped: its unassigned ones go (assigned ones stay in use). */
export async function setPoolState(
  ctx: DomainContext,
  id: number,
  state: "running" | "stopped",
): Promise<PoolRow> {
  const { pool, lab } = await loadPool(ctx.db, id);
  await assertAdminOfLab(ctx, lab);
  await ctx.db
    .update(pools)
    .set({ state, updatedAt: sql`CURRENT_TIMESTAMP(3)` })
    .where(eq(pools.id, pool.id));
  nudgePools();
  return (await loadPool(ctx.db, pool.id)).pool;
}

/** Deletes the pool and takes every desktop of it away, assigned or not. */
export async function deletePool(ctx: DomainContext, id: number): Promise<{ id: number; desktops: number }> {
  const actor = requireActor(ctx);
  const { pool, lab } = await loadPool(ctx.db, id);
  await assertAdminOfLab(ctx, lab);
  // Stopped first, so a controller pass running meanwhile makes nothing more for it.
  await ctx.db.update(pools).set({ state: "stopped" }).where(eq(pools.id, pool.id));
  let n = 0;
  for (const d of await liveDesktopsOf(ctx.db, [pool.id]))
    if (await deleteDesktop(ctx, d, msg("events.deletedBy", { user: actor.username }))) n++;
  await ctx.db.delete(pools).where(eq(pools.id, pool.id));
  return { id: pool.id, desktops: n };
}
