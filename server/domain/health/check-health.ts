import { sql } from "drizzle-orm";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { hosts } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { isHostUp } from "../hosts/find-hosts";

export type CheckName = "database" | "redis" | "queue" | "agents";

export interface HealthCheck {
  name: CheckName;
  ok: boolean;
  latencyMs: number;
  /** What failed, in words an operator can act on. */
  error?: string;
  /** Working, but something the operator should know (e.g. Redis keeps nothing on disk). */
  warnings: string[];
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
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}

async function runCheck(
  name: CheckName,
  body: (c: HealthCheck) => Promise<void>,
  timeoutMs: number,
): Promise<HealthCheck> {
  const check: HealthCheck = { name, ok: false, latencyMs: 0, warnings: [], facts: {} };
  const started = performance.now();
  try {
    await withTimeout(body(check), timeoutMs, name);
    check.ok = true;
  } catch (err) {
    check.error =
      err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
  }
  check.latencyMs = Math.round((performance.now() - started) * 10) / 10;
  return check;
}

export const NO_PERSISTENCE_WARNING =
  "Redis keeps nothing on disk (no AOF, no RDB snapshots): queued jobs would be lost if Redis restarts.";

/** Reads Redis's persistence settings; null when CONFIG is not allowed (managed Redis). */
export async function readRedisPersistence(redis: Redis): Promise<{ aof: boolean; rdb: boolean } | null> {
  try {
    const [, aof] = (await redis.config("GET", "appendonly")) as string[];
    const [, save] = (await redis.config("GET", "save")) as string[];
    return { aof: aof === "yes", rdb: Boolean(save && save.trim()) };
  } catch {
    return null;
  }
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
          if (!persistence.aof && !persistence.rdb) c.warnings.push(NO_PERSISTENCE_WARNING);
        } else {
          c.warnings.push("Could not read Redis persistence settings (CONFIG is disabled).");
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
        if (rows.length === 0)
          c.warnings.push(
            "No compute host has joined yet: `npm start` joins this machine, Hosts → Add host joins others.",
          );
        // A disabled host in maintenance may be off; an enabled one that went silent is a problem.
        const silent = down.filter((h) => h.enabled).map((h) => h.name);
        if (silent.length)
          throw new Error(`No heartbeat from ${silent.join(", ")} for over ${deps.hostDownAfterSeconds} s.`);
      },
      timeoutMs,
    ),
  ]);
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  const status = failed.includes("database") ? "down" : failed.length ? "degraded" : "ok";
  return { status, checkedAt: new Date(), checks };
}
