import { Worker } from "bullmq";
import { isNull } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { agentEventSchema, hostEventsQueueName, type AgentEvent } from "@/agents/protocol";
import { hosts } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { JobPort } from "@/server/domain/context";
import type { EventDispatcher } from "@/server/domain/events/dispatcher";
import { createAgentEventDispatcher } from "@/server/events/agent-events";
import { applyWithRetry } from "./apply-with-retry";

/** Events about one thing must be applied in the order they were sent; different things need not wait. */
export function orderingKey(ev: AgentEvent): string {
  if (ev.type === "host.heartbeat") return `host:${ev.hostId}`;
  if (ev.type === "network.state") return `network:${ev.networkId}:${ev.hostId}`;
  if (ev.type === "image.cache") return `image:${ev.sha256}:${ev.hostId}`;
  // A volume's reports in order; snapshot reports join their instance's (revert after stop, etc.).
  if (ev.type === "volume.state") return `volume:${ev.volumeId}`;
  if (ev.type === "task.progress") return `task:${ev.taskId}`;
  return `instance:${ev.instanceId}`;
}

/**
 * Runs `work` after every earlier call with the same key has settled. Jobs arrive in queue order, so
 * chaining them in arrival order keeps one instance's BUILDING → RUNNING reports in order while
 * reports about twenty other instances are applied at the same time.
 */
export function createKeyedSerializer() {
  const tails = new Map<string, Promise<void>>();
  return (key: string, work: () => Promise<void>): Promise<void> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(work);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

/**
 * Consumes agents' events and records them in MySQL: one BullMQ worker per host, on that host's own
 * events queue. Only that host's Redis user (and the portal) can write there (host-channel.ts), so the
 * queue an event arrived on names its sender; an event naming another host is dropped.
 * Hosts that join later get their worker within `refreshMs`; revoked hosts lose theirs.
 */
export function startController(deps: {
  db: Database;
  jobs: JobPort;
  connection: Redis;
  prefix: string;
  log: Logger;
  concurrency?: number;
  /** Every area's handlers by default; tests and later features may pass their own. */
  events?: EventDispatcher;
  /**
   * Keeps Redis's per-host users in step with `hosts` (after a Redis restart forgot them), and gives each
   * host's events worker a connection confined to that host's queues.
   */
  hostChannel?: {
    sync(hosts: { id: string; secretHash: string }[]): Promise<void>;
    confinedConnection?(hostId: string): Promise<Redis>;
  };
  refreshMs?: number;
}): { close(): Promise<void>; refresh(): Promise<void>; listening(): string[] } {
  const inOrder = createKeyedSerializer();
  const events = deps.events ?? createAgentEventDispatcher();
  const workers = new Map<string, Worker>();
  let closed = false;
  const closing = new AbortController(); // ends in-place retries so close() does not wait for the database

  const connections = new Map<string, Redis>();
  const listen = async (hostId: string) => {
    // The host writes its queue's keys, and BullMQ's scripts follow key names found there: they run as a
    // user confined to this host's queues, so what they follow elsewhere is refused by Redis.
    const connection = deps.hostChannel?.confinedConnection
      ? await deps.hostChannel.confinedConnection(hostId)
      : deps.connection;
    if (closed || workers.has(hostId)) {
      if (connection !== deps.connection) connection.disconnect();
      return;
    }
    if (connection !== deps.connection) connections.set(hostId, connection);
    const worker = new Worker(
      hostEventsQueueName(hostId),
      async (job) => {
        const parsed = agentEventSchema.safeParse(job.data);
        if (!parsed.success) {
          deps.log.warn(
            { hostId, jobId: job.id, issues: parsed.error.issues.slice(0, 3) },
            "dropped a malformed agent event",
          );
          return;
        }
        const ev = parsed.data;
        if (ev.hostId !== hostId) {
          deps.log.warn(
            { hostId, claimed: ev.hostId, type: ev.type },
            "dropped an event that names another host than its sender",
          );
          return;
        }
        const retry = {
          log: deps.log,
          signal: closing.signal,
          what: { hostId, type: ev.type, jobId: job.id },
        };
        await inOrder(orderingKey(ev), () => applyWithRetry(() => events.dispatch(deps, ev, hostId), retry));
      },
      {
        connection,
        prefix: `${deps.prefix}:bull`,
        concurrency: deps.concurrency ?? 8,
        // A confined user may not run INFO.
        skipVersionCheck: connection !== deps.connection,
        removeOnComplete: { count: 100 },
        removeOnFail: { count: 1000 },
      },
    );
    worker.on("failed", (job, err) =>
      deps.log.error({ err, hostId, jobId: job?.id }, "applying an agent event failed"),
    );
    worker.on("error", (err) => deps.log.warn({ err: err.message, hostId }, "events worker problem"));
    workers.set(hostId, worker);
  };

  let refreshes = 0;
  let lastSynced = "";
  const refresh = async () => {
    // A revoked host has no channel: no events worker, no Redis user (revokeHost removed it at once).
    const rows = await deps.db
      .select({ id: hosts.id, secretHash: hosts.secretHash })
      .from(hosts)
      .where(isNull(hosts.revokedAt));
    if (closed) return;
    const ids = new Set(rows.map((r) => r.id));
    for (const id of ids) if (!workers.has(id)) await listen(id);
    for (const [id, worker] of workers)
      if (!ids.has(id)) {
        workers.delete(id);
        await worker.close().catch(() => undefined);
        connections.get(id)?.disconnect();
        connections.delete(id);
      }
    // Every minute, and whenever hosts change: Redis forgets its users when it restarts.
    const key = rows.map((r) => `${r.id}:${r.secretHash}`).join(",");
    if (deps.hostChannel && (key !== lastSynced || refreshes++ % 12 === 0)) {
      const channel = deps.hostChannel;
      // Under a lock on the rows it grants: a revocation's UPDATE waits until these grants are
      // done, and its Redis DELUSER comes after it commits, so a stale grant never outlives a revocation.
      await deps.db.transaction(async (tx) => {
        const live = await tx
          .select({ id: hosts.id, secretHash: hosts.secretHash })
          .from(hosts)
          .where(isNull(hosts.revokedAt))
          .for("update"); // MariaDB has no FOR SHARE; heartbeats wait a few milliseconds, once a minute
        await channel.sync(live);
      });
      lastSynced = key;
    }
  };
  const refreshQuietly = () =>
    refresh().catch((err: unknown) =>
      deps.log.warn({ err: (err as Error).message }, "could not refresh the hosts' event queues"),
    );
  void refreshQuietly();
  const timer = setInterval(() => void refreshQuietly(), deps.refreshMs ?? 5000);
  timer.unref();

  return {
    refresh,
    listening: () => [...workers.keys()],
    async close() {
      closed = true;
      closing.abort();
      clearInterval(timer);
      await Promise.all([...workers.values()].map((w) => w.close().catch(() => undefined)));
      workers.clear();
      for (const c of connections.values()) c.disconnect();
      connections.clear();
    },
  };
}
