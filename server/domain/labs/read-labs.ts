// What the lab pages show: a lab with its group, seats, the profiles it may use, its weekly lessons and
// a summary of its pools (size, spare, state, desktops and how many are handed to students).
import { and, asc, eq, inArray, isNotNull, ne, sql } from "drizzle-orm";
import { timeOf } from "@/common/labs";
import { groups, instances, labLessons, labProfiles, labs, pools, profiles, type LabRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext } from "../context";
import { labRowsFor } from "../policies/labs";
import { loadLab } from "../profiles/load-profile";

type Reader = Pick<Database, "select">;

export interface LabSummary {
  id: number;
  name: string;
  description: string;
  /** null: public. */
  group: { id: number; name: string } | null;
  seats: number;
  profileCount: number;
  lessonCount: number;
  /** Pools of the lab that run. */
  runningPools: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface LabLessonView {
  id: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** "HH:MM" in the portal's time zone. */
  start: string;
  end: string;
  warmMinutes: number;
}

export interface LabPoolSummary {
  id: number;
  profile: { id: number; name: string };
  size: number;
  spare: number;
  idleSize: number;
  state: "stopped" | "running";
  /** Desktops of the pool not deleted, and of them those handed to a student. */
  desktops: number;
  assigned: number;
}

export interface LabView extends LabSummary {
  profiles: {
    id: number;
    name: string;
    groupId: number | null;
    currentVersion: number;
    inAdminMode: boolean;
  }[];
  lessons: LabLessonView[];
  pools: LabPoolSummary[];
}

async function summarize(db: Reader, rows: LabRow[]): Promise<LabSummary[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const groupIds = [...new Set(rows.flatMap((r) => (r.groupId === null ? [] : [r.groupId])))];
  const groupRows = groupIds.length
    ? await db.select({ id: groups.id, name: groups.name }).from(groups).where(inArray(groups.id, groupIds))
    : [];
  const countBy = async (table: typeof labProfiles | typeof labLessons) =>
    db
      .select({ labId: table.labId, n: sql<number>`count(*)` })
      .from(table)
      .where(inArray(table.labId, ids))
      .groupBy(table.labId);
  const profileCounts = await countBy(labProfiles);
  const lessonCounts = await countBy(labLessons);
  const running = await db
    .select({ labId: pools.labId, n: sql<number>`count(*)` })
    .from(pools)
    .where(and(inArray(pools.labId, ids), eq(pools.state, "running")))
    .groupBy(pools.labId);
  const n = (list: { labId: number; n: number }[], id: number) =>
    Number(list.find((x) => x.labId === id)?.n ?? 0);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    group:
      r.groupId === null
        ? null
        : { id: r.groupId, name: groupRows.find((g) => g.id === r.groupId)?.name ?? String(r.groupId) },
    seats: r.seats,
    profileCount: n(profileCounts, r.id),
    lessonCount: n(lessonCounts, r.id),
    runningPools: n(running, r.id),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }));
}

/** The labs of the groups the caller administers (superAdm: all), by name. */
export async function listLabs(ctx: DomainContext): Promise<LabSummary[]> {
  const actor = requireActor(ctx);
  const where = labRowsFor(actor, { groupId: labs.groupId });
  if (where === null) return [];
  const rows = await ctx.db.select().from(labs).where(where).orderBy(asc(labs.name));
  return summarize(ctx.db, rows);
}

export async function readLab(ctx: DomainContext, id: number): Promise<LabView> {
  const actor = requireActor(ctx);
  const row = await loadLab(ctx.db, actor, id);
  const [summary] = await summarize(ctx.db, [row]);
  const profileRows = await ctx.db
    .select({
      id: profiles.id,
      name: profiles.name,
      groupId: profiles.groupId,
      currentVersion: profiles.currentVersion,
      adminInstanceId: profiles.adminInstanceId,
    })
    .from(labProfiles)
    .innerJoin(profiles, eq(profiles.id, labProfiles.profileId))
    .where(eq(labProfiles.labId, id))
    .orderBy(asc(profiles.name));
  const lessonRows = await ctx.db
    .select()
    .from(labLessons)
    .where(eq(labLessons.labId, id))
    .orderBy(asc(labLessons.weekday), asc(labLessons.startMinute));
  const poolRows = await ctx.db
    .select({ pool: pools, profileName: profiles.name })
    .from(pools)
    .innerJoin(profiles, eq(profiles.id, pools.profileId))
    .where(eq(pools.labId, id))
    .orderBy(asc(profiles.name));
  const poolIds = poolRows.map((p) => p.pool.id);
  const counts = poolIds.length
    ? await ctx.db
        .select({
          poolId: instances.poolId,
          n: sql<number>`count(*)`,
          assigned: sql<number>`sum(${isNotNull(instances.assignedTo)})`,
        })
        .from(instances)
        .where(and(inArray(instances.poolId, poolIds), ne(instances.state, "DELETED")))
        .groupBy(instances.poolId)
    : [];
  return {
    ...summary!,
    profiles: profileRows.map(({ adminInstanceId, ...p }) => ({
      ...p,
      inAdminMode: adminInstanceId !== null,
    })),
    lessons: lessonRows.map((l) => ({
      id: l.id,
      weekday: l.weekday,
      start: timeOf(l.startMinute),
      end: timeOf(l.endMinute),
      warmMinutes: l.warmMinutes,
    })),
    pools: poolRows.map(({ pool, profileName }) => {
      const c = counts.find((x) => x.poolId === pool.id);
      return {
        id: pool.id,
        profile: { id: pool.profileId, name: profileName },
        size: pool.size,
        spare: pool.spare,
        idleSize: pool.idleSize,
        state: pool.state,
        desktops: Number(c?.n ?? 0),
        assigned: Number(c?.assigned ?? 0),
      };
    }),
  };
}
