// The pool controller: for each pool, make what it lacks and take away what it holds too many of or what
// failed. Runs in the portal's background worker (server/queue/maintenance.ts) every few seconds and when
// nudged (a desktop changed state, a pool was started). Decisions are re-checked where they are made: the
// placement refuses a desktop while its profile is in admin mode (under the profile's lock) and never
// overbooks a host.
import { and, desc, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import pino, { type Logger } from "pino";
import { msg } from "@/common/message";
import {
  hosts,
  instanceEvents,
  instances,
  labLessons,
  pools,
  profiles,
  terminals,
  type InstanceRow,
  type PoolRow,
} from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { DomainContext, DomainSettings, JobPort } from "../context";
import { DomainError } from "../errors";
import { isHostUp } from "../hosts/find-hosts";
import { createInstances } from "../provisioning/create-instances";
import { currentVersionImageId } from "../provisioning/profile-lock";
import { deleteDesktop } from "./desktop-jobs";
import { liveDesktopsOf, loadLab } from "./load-pool";
import { poolOwner } from "./pool-owner";
import { withPoolLock } from "./pool-lock";
import { poolTarget, wantedSpare } from "./pool-target";

export interface PoolControlDeps {
  db: Database;
  jobs: JobPort;
  settings: DomainSettings;
  /** Concurrent power operations (builds, starts, resets) per host (POOL_HOST_POWER_OPS, default 4). */
  hostPowerOps?: number;
  now?: Date;
  log?: Logger;
  /**
   * Only these pools (the worker controls all). Tests that share one database across files control only
   * their own, so one file's controller never fills or empties another file's pool.
   */
  poolIds?: readonly number[];
}

export interface PoolControlResult {
  created: number;
  deleted: number;
  replaced: number;
}

/**
 * The desktops that must not be handed out: failed, or whose QEMU died — stopped with no stop asked for:
 * its last move into STOPPED came straight from RUNNING (the heartbeat found it stopped), not from
 * STOPPING (a stop someone asked for through the portal; that desktop stays and may be started again).
 * A desktop being reset keeps its task ("resetting") while powered off, so it is never taken as died.
 */
export async function brokenDesktops(db: Database, desktops: InstanceRow[]): Promise<Set<string>> {
  const broken = new Set(desktops.filter((d) => d.state === "ERROR").map((d) => d.id));
  const stopped = desktops.filter((d) => d.state === "STOPPED" && !d.task).map((d) => d.id);
  if (!stopped.length) return broken;
  const moves = await db
    .select({ instanceId: instanceEvents.instanceId, fromState: instanceEvents.fromState })
    .from(instanceEvents)
    .where(and(inArray(instanceEvents.instanceId, stopped), eq(instanceEvents.toState, "STOPPED")))
    .orderBy(desc(instanceEvents.id));
  for (const id of stopped) {
    const last = moves.find((m) => m.instanceId === id);
    if (last?.fromState !== "STOPPING") broken.add(id);
  }
  return broken;
}

export async function controlPools(deps: PoolControlDeps): Promise<PoolControlResult> {
  const result: PoolControlResult = { created: 0, deleted: 0, replaced: 0 };
  const log = deps.log ?? pino({ level: "silent" });
  const all = !deps.poolIds
    ? await deps.db.select({ id: pools.id }).from(pools)
    : deps.poolIds.length
      ? await deps.db
          .select({ id: pools.id })
          .from(pools)
          .where(inArray(pools.id, [...deps.poolIds]))
      : [];
  for (const { id } of all) {
    try {
      // Under the pool's lock: a student's desktop made meanwhile (open-desktop.ts) is counted.
      await withPoolLock(deps.db, id, (pool) => controlPool(deps, pool, result));
    } catch (err) {
      // One pool's trouble (quota, no room, admin mode) must not starve the others.
      if (err instanceof DomainError) log.info({ pool: id, reason: err.message }, "pool not filled");
      else log.warn({ pool: id, err }, "pool controller failed");
    }
  }
  return result;
}

async function controlPool(deps: PoolControlDeps, pool: PoolRow, result: PoolControlResult): Promise<void> {
  const desktops = await liveDesktopsOf(deps.db, [pool.id]);
  const broken = await brokenDesktops(deps.db, desktops);
  for (const d of desktops.filter((d) => broken.has(d.id))) {
    if (await deleteDesktop(deps, d, msg("desktops.replaced", { state: d.state }))) result.replaced++;
  }
  const healthy = desktops.filter((d) => !broken.has(d.id));
  const lessons = await deps.db.select().from(labLessons).where(eq(labLessons.labId, pool.labId));
  const target = poolTarget(pool, lessons, deps.now ?? new Date());
  // A terminal's seat is held like an assigned desktop (desktops/seats.ts): never surplus, never a spare.
  const seats = await seatsAmong(
    deps.db,
    healthy.map((d) => d.id),
  );
  const held = (d: { id: string; assignedTo: number | null }) => d.assignedTo !== null || seats.has(d.id);
  const assigned = healthy.filter(held).length;
  const spare = healthy.filter((d) => !held(d));
  const want = wantedSpare(target, pool.spare, assigned);

  if (spare.length > want) {
    // Surplus: the newest first, never one just made for a student being handed it (made < 1 min ago).
    const old = Date.now() - 60_000;
    const surplus = spare
      .filter((d) => d.createdAt.getTime() < old || pool.state !== "running")
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, spare.length - want);
    for (const d of surplus) if (await deleteDesktop(deps, d, msg("desktops.surplus"))) result.deleted++;
    return;
  }
  const missing = want - spare.length;
  if (missing <= 0 || pool.state !== "running") return;
  const [profile] = await deps.db.select().from(profiles).where(eq(profiles.id, pool.profileId));
  // Admin mode: nothing starts (placement refuses it under the profile's lock too; this only keeps quiet).
  if (!profile || profile.adminInstanceId) return;
  const room = await powerOpsRoom(deps.db, deps.settings, deps.hostPowerOps ?? 4);
  const n = Math.min(missing, room);
  if (n <= 0) return;
  result.created += (await makeDesktops(deps, pool, n)).length;
}

/** Which of these desktops are a terminal's seat. */
async function seatsAmong(db: Database, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db
    .select({ id: terminals.seatInstanceId })
    .from(terminals)
    .where(inArray(terminals.seatInstanceId, ids));
  return new Set(rows.map((r) => r.id!));
}

/**
 * How many more power operations the up hosts may take now: each host's limit less its desktops being
 * built, started or reset. Placement spreads a batch over hosts, so the sum is the batch's bound.
 */
export async function powerOpsRoom(db: Database, settings: DomainSettings, perHost: number): Promise<number> {
  let sum = 0;
  for (const free of (await powerOpsFree(db, settings, perHost)).values()) sum += free;
  return sum;
}

/** Per up host: the power operations it may still start (its limit less its desktops in motion). */
export async function powerOpsFree(
  db: Database,
  settings: DomainSettings,
  perHost: number,
): Promise<Map<string, number>> {
  const hostRows = await db
    .select({ id: hosts.id, enabled: hosts.enabled, lastHeartbeatAt: hosts.lastHeartbeatAt })
    .from(hosts)
    .where(isNull(hosts.revokedAt));
  const up = hostRows.filter(
    (h) => h.enabled && isHostUp(h.lastHeartbeatAt, new Date(), settings.hostDownAfterSeconds),
  );
  if (!up.length) return new Map();
  const busy = await db
    .select({ hostId: instances.hostId, n: sql<string>`count(*)` })
    .from(instances)
    .where(
      and(
        eq(instances.kind, "desktop"),
        inArray(
          instances.hostId,
          up.map((h) => h.id),
        ),
        or(
          inArray(instances.state, ["SCHEDULED", "BUILDING"]),
          and(isNotNull(instances.task), inArray(instances.task, ["starting", "resetting", "creating"])),
        ),
      ),
    )
    .groupBy(instances.hostId);
  return new Map(
    up.map((h) => [h.id, Math.max(0, perHost - Number(busy.find((x) => x.hostId === h.id)?.n ?? 0))]),
  );
}

/** Makes `n` desktops of the pool's profile (its current version) as one placement. */
export async function makeDesktops(
  deps: Pick<PoolControlDeps, "db" | "jobs" | "settings">,
  pool: PoolRow,
  n: number,
): Promise<{ id: string; state: string }[]> {
  const lab = await loadLab(deps.db, pool.labId);
  const owner = await poolOwner(deps.db, lab, pool);
  if (!owner) throw new DomainError("CONFLICT", msg("pools.ownerGone"));
  const [profile] = await deps.db.select().from(profiles).where(eq(profiles.id, pool.profileId));
  if (!profile) return [];
  const imageId = await currentVersionImageId(deps.db, profile);
  const ctx: DomainContext = {
    db: deps.db,
    redis: undefined as never,
    actor: owner,
    ip: null,
    settings: deps.settings,
    jobs: deps.jobs,
    hostChannel: undefined as never,
    hooks: undefined as never,
  };
  const tag = Date.now().toString(36).slice(-5);
  const views = await createInstances(ctx, {
    imageId,
    flavorId: profile.flavorId,
    groupId: lab.groupId ?? undefined,
    nics: profile.networkId ? [{ networkId: profile.networkId }] : [],
    instances: Array.from({ length: n }, (_, i) => ({
      name: `${lab.name.slice(0, 40)}-${pool.id}-${tag}${i}`,
    })),
    kind: "desktop",
    profileId: profile.id,
    profileVersion: profile.currentVersion,
    poolId: pool.id,
    throwaway: profile.throwaway,
    hardware: {
      firmware: profile.firmware,
      diskBus: profile.diskBus,
      nicModel: profile.nicModel,
      usbTablet: profile.usbTablet,
      keyboardLayout: profile.keyboardLayout,
    },
  });
  return views.map((v) => ({ id: v.id, state: v.state }));
}
