// Where the time goes: BullMQ writes every job's life to a Redis stream (`<prefix>:bull:<queue>:events`),
// each entry's id being the Redis server's clock in ms (same machine, same clock as Date.now()).
//  - the host's job queue (`host-<id>`): jobId create-<instance>-1 added (API enqueued it), active (the
//    agent took it), completed (the agent's handler returned, after it sent RUNNING);
//  - the agent-events queue: each BUILDING/progress/RUNNING report added (sent by the agent), active
//    (the controller took it), completed (the controller wrote it to MySQL).
import type { Redis } from "ioredis";

export interface StreamEntry {
  ts: number;
  event: string;
  jobId: string;
  name?: string;
}

export async function readStream(
  redis: Redis,
  key: string,
  fromMs: number,
  toMs: number | "+",
): Promise<StreamEntry[]> {
  const raw = (await redis.xrange(
    key,
    String(Math.floor(fromMs)),
    toMs === "+" ? "+" : String(Math.ceil(toMs)),
  )) as [string, string[]][];
  return raw.map(([id, fields]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    return { ts: Number(id.split("-")[0]), event: f.event ?? "", jobId: f.jobId ?? "", name: f.name };
  });
}

export interface JobLife {
  jobId: string;
  name?: string;
  added?: number;
  active?: number;
  completed?: number;
}

/** One record per job: when it was added, taken and completed (the first of each). */
export function jobLives(entries: StreamEntry[]): JobLife[] {
  const byId = new Map<string, JobLife>();
  for (const e of entries) {
    if (!e.jobId) continue;
    let life = byId.get(e.jobId);
    if (!life) byId.set(e.jobId, (life = { jobId: e.jobId }));
    if (e.event === "added") {
      life.added ??= e.ts;
      life.name ??= e.name;
    } else if (e.event === "active") life.active ??= e.ts;
    else if (e.event === "completed") life.completed ??= e.ts;
  }
  return [...byId.values()];
}

export const streamKey = (prefix: string, queue: string) => `${prefix}:bull:${queue}:events`;

/** One agent report as the agent sent it (its own `at`) and as Redis/the controller saw it. */
export interface ObservedReport {
  jobId: string;
  instanceId: string;
  type: "instance.state" | "instance.progress";
  state?: string;
  percent?: number;
  message?: string;
  /** The agent's clock when it built the report. */
  sentAt: number;
  /** Redis's clock when the report entered the queue. */
  added: number;
}

/**
 * Reads the agent-events stream live and fetches each new report's payload while the job still exists
 * (the controller removes jobs once applied, so payloads cannot be read afterwards). Reports already
 * applied before their payload was fetched are counted as missed. Uses its own Redis connection.
 */
export function observeReports(redis: Redis, prefix: string, queue: string) {
  const key = streamKey(prefix, queue);
  const reports = new Map<string, ObservedReport>();
  let missed = 0;
  let stopped = false;
  let lastId = "$";
  const loop = (async () => {
    while (!stopped) {
      const res = (await redis.xread("BLOCK", 500, "STREAMS", key, lastId).catch(() => null)) as
        [string, [string, string[]][]][] | null;
      if (!res) continue;
      for (const [, entries] of res) {
        for (const [id, fields] of entries) {
          lastId = id;
          const f: Record<string, string> = {};
          for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
          if (f.event !== "added" || !f.name?.startsWith("instance.")) continue;
          const data = await redis.hget(`${prefix}:bull:${queue}:${f.jobId}`, "data");
          if (!data) {
            missed++;
            continue;
          }
          const d = JSON.parse(data) as {
            instanceId: string;
            type: ObservedReport["type"];
            state?: string;
            percent?: number;
            message?: string;
            at: string;
          };
          reports.set(f.jobId!, {
            jobId: f.jobId!,
            instanceId: d.instanceId,
            type: d.type,
            state: d.state,
            percent: d.percent,
            message: d.message,
            sentAt: new Date(d.at).getTime(),
            added: Number(id.split("-")[0]),
          });
        }
      }
    }
  })();
  return {
    reports,
    get missed() {
      return missed;
    },
    /** The reports of one instance in the order they were sent. */
    of(instanceId: string): ObservedReport[] {
      return [...reports.values()]
        .filter((r) => r.instanceId === instanceId)
        .sort((a, b) => a.added - b.added || a.sentAt - b.sentAt);
    },
    async stop() {
      stopped = true;
      await loop;
      redis.disconnect();
    },
  };
}
