// Pools of a lab (F5): made for a profile the lab may use, within its seats; started and stopped; deleted
// with their desktops. What a running pool holds is the controller's work (control-pools.ts).
import { and, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { createPoolInput, updatePoolInput } from "@/common/pools";
import { msg } from "@/common/message";
import { labProfiles, pools, profiles, type LabRow, type PoolRow } from "@/db/schema";
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
    const [res] = await ctx.db.insert(pools).values({
      labId: lab.id,
      profileId: profile.id,
      size: input.size,
      spare: input.spare,
      idleSize: input.idleSize,
    });
    return (await loadPool(ctx.db, res.insertId)).pool;
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
  await ctx.db
    .update(pools)
    .set({ ...next, updatedAt: new Date() })
    .where(eq(pools.id, pool.id));
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
