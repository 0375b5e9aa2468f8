import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { AGENT_EVENTS_QUEUE, agentEventSchema, type AgentEvent } from "@/agents/protocol";
import type { Database } from "@/server/db/client";
import type { JobPort } from "@/server/domain/context";
import type { EventDispatcher } from "@/server/domain/events/dispatcher";
import { createAgentEventDispatcher } from "@/server/events/agent-events";

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

/** Consumes agents' events and records them in MySQL. */
export function startController(deps: {
  db: Database;
  jobs: JobPort;
  connection: Redis;
  prefix: string;
  log: Logger;
  concurrency?: number;
  /** Every area's handlers by default; tests and later features may pass their own. */
  events?: EventDispatcher;
}): Worker {
  const inOrder = createKeyedSerializer();
  const events = deps.events ?? createAgentEventDispatcher();
  const worker = new Worker(
    AGENT_EVENTS_QUEUE,
    async (job) => {
      const parsed = agentEventSchema.safeParse(job.data);
      if (!parsed.success) {
        deps.log.warn(
          { jobId: job.id, issues: parsed.error.issues.slice(0, 3) },
          "dropped a malformed agent event",
        );
        return;
      }
      const ev = parsed.data;
      // The sender is the host the message names until events arrive on a per-host authenticated channel.
      await inOrder(orderingKey(ev), () => events.dispatch(deps, ev, ev.hostId));
    },
    {
      connection: deps.connection,
      prefix: `${deps.prefix}:bull`,
      concurrency: deps.concurrency ?? 8,
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 1000 },
    },
  );
  worker.on("failed", (job, err) =>
    deps.log.error({ err, jobId: job?.id }, "applying an agent event failed"),
  );
  return worker;
}
