import { sql } from "drizzle-orm";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { hosts } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { isHostUp } from "../hosts/find-hosts";
import { renderEnglish } from "../render-english";
import { msg, type Message } from "@/common/message";

export type CheckName = "database" | "redis" | "queue" | "agents";

export interface HealthCheck {
  name: CheckName;
  ok: boolean;
  latencyMs: number;
  /** What failed, in words an operator can act on (English; errorMessage is the same as a code). */
  error?: string;
  errorMessage?: Message;
  /** Working, but something the operator should know (e.g. Redis keeps nothing on disk). English. */
  warnings: string[];
  /** The warnings as codes, rendered in the reader's language. */
  warningMessages: Message[];
  facts: Record<string, string | number | boolean>;
}

export interface HealthReport {
  status: "ok" | "degraded" | "down";
  checkedAt: Date;
  checks: HealthCheck[];
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new HealthProblem(msg("health.timeout", { check: what, ms }))), ms);
    }),
  ]);
}

async function runCheck(
  name: CheckName,
  body: (c: HealthCheck) => Promise<void>,
  timeoutMs: number,
): Promise<HealthCheck> {
  const check: HealthCheck = { name, ok: false, latencyMs: 0, warnings: [], warningMessages: [], facts: {} };
  const started = performance.now();
  try {
    await withTimeout(body(check), timeoutMs, name);
    check.ok = true;
  } catch (err) {
    check.error =
      err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
    // A driver's own error text (mysql2, ioredis) has no translation: it stays a parameter.
    check.errorMessage =
      err instanceof HealthProblem ? err.problem : msg("health.failed", { detail: check.error });
  }
  check.latencyMs = Math.round((performance.now() - started) * 10) / 10;
  return check;
}

/** A failed check we can name ourselves (not a driver's error text). */
class HealthProblem extends Error {
  constructor(readonly problem: Message) {
    super(renderEnglish(problem));
  }
}

function warn(c: HealthCheck, m: Message): void {
  c.warnings.push(renderEnglish(m));
  c.warningMessages.push(m);
}

export interface RedisPersistence {
  aof: boolean;
  rdb: boolean;
  /** appendfsync: "always", "everysec" or "no" (the OS decides: up to ~30 s lost). */
  fsync: string;
  /** What Redis does when maxmemory is reached; anything but "noeviction" may drop queued jobs. */
  evictionPolicy: string;
}

/** Reads Redis's persistence and eviction settings; null when CONFIG is not allowed (managed Redis). */
export async function readRedisPersistence(redis: Redis): Promise<RedisPersistence | null> {
  try {
    const get = async (key: string) => ((await redis.config("GET", key)) as string[])[1] ?? "";
    const [aof, save, fsync, policy] = await Promise.all(
      ["appendonly", "save", "appendfsync", "maxmemory-policy"].map(get),
    );
    return { aof: aof === "yes", rdb: Boolean(save && save.trim()), fsync: fsync!, evictionPolicy: policy! };
  } catch {
    return null;
  }
}

/**
 * What the operator should hear about Redis's durability. "Enough" is the append-only file with an fsync
 * at least every second (appendonly yes, appendfsync everysec or always) and no eviction: then a crash
 * loses at most a second of jobs and events, and a full Redis refuses writes (callers see an outage and
 * retry) instead of silently dropping a queued job. RDB snapshots alone lose everything since the last
 * save (minutes), so they are a warning too.
 */
export function redisDurabilityWarnings(p: RedisPersistence): Message[] {
  const out: Message[] = [];
  if (!p.aof && !p.rdb) out.push(msg("health.noPersistence"));
  // Redis's own setting names are parameters: they read the same in every language.
  else if (!p.aof) out.push(msg("health.rdbOnly", { fix: "appendonly yes" }));
  else if (p.fsync === "no")
    out.push(msg("health.aofNoFsync", { setting: "appendfsync no", fix: "appendfsync everysec" }));
  if (p.evictionPolicy && p.evictionPolicy !== "noeviction")
    out.push(
      msg("health.evictingPolicy", {
        setting: `maxmemory-policy ${p.evictionPolicy}`,
        fix: "maxmemory-policy noeviction",
      }),
    );
  return out;
}

export async function checkHealth(deps: {
  db: Database;
  redis: Redis;
  queue: Queue;
  hostDownAfterSeconds: number;
  timeoutMs?: number;
}): Promise<HealthReport> {
  const timeoutMs = deps.timeoutMs ?? 3000;
  const checks = await Promise.all([
    runCheck(
      "database",
      async (c) => {
        const [rows] = (await deps.db.execute(sql`SELECT VERSION() AS version`)) as unknown as [
          { version: string }[],
        ];
        c.facts.version = rows[0]?.version ?? "unknown";
      },
      timeoutMs,
    ),
    runCheck(
      "redis",
      async (c) => {
        await deps.redis.ping();
        const persistence = await readRedisPersistence(deps.redis);
        if (persistence) {
          c.facts.aof = persistence.aof;
          c.facts.rdb = persistence.rdb;
          c.facts.appendfsync = persistence.fsync;
          c.facts.maxmemoryPolicy = persistence.evictionPolicy;
          for (const m of redisDurabilityWarnings(persistence)) warn(c, m);
        } else {
          warn(c, msg("health.persistenceUnknown"));
        }
      },
      timeoutMs,
    ),
    runCheck(
      "queue",
      async (c) => {
        const counts = await deps.queue.getJobCounts("waiting", "active", "failed", "delayed");
        Object.assign(c.facts, counts);
      },
      timeoutMs,
    ),
    runCheck(
      "agents",
      async (c) => {
        const rows = await deps.db
          .select({ name: hosts.name, enabled: hosts.enabled, beat: hosts.lastHeartbeatAt })
          .from(hosts);
        const now = new Date();
        const down = rows.filter((h) => !isHostUp(h.beat, now, deps.hostDownAfterSeconds));
        Object.assign(c.facts, {
          hosts: rows.length,
          up: rows.length - down.length,
          down: down.length,
          disabled: rows.filter((h) => !h.enabled).length,
        });
        if (rows.length === 0) warn(c, msg("health.noHostJoined"));
        // A disabled host in maintenance may be off; an enabled one that went silent is a problem.
        const silent = down.filter((h) => h.enabled).map((h) => h.name);
        if (silent.length)
          throw new HealthProblem(
            msg("health.noHeartbeat", { hosts: silent.join(", "), seconds: deps.hostDownAfterSeconds }),
          );
      },
      timeoutMs,
    ),
  ]);
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  const status = failed.includes("database") ? "down" : failed.length ? "degraded" : "ok";
  return { status, checkedAt: new Date(), checks };
}
