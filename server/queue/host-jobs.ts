import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { hostQueueName } from "@/agents/protocol";
import type { JobPort } from "@/server/domain/context";

/**
 * BullMQ producer for per-host queues. Retries with backoff cover transient failures on the agent;
 * a permanent failure is reported by the agent as an ERROR state with its reason.
 */
export function createHostJobPort(connection: Redis, prefix: string): JobPort & { close(): Promise<void> } {
  const queues = new Map<string, Queue>();
  const queueFor = (hostId: string) => {
    let q = queues.get(hostId);
    if (!q) {
      q = new Queue(hostQueueName(hostId), { connection, prefix: `${prefix}:bull` });
      queues.set(hostId, q);
    }
    return q;
  };
  return {
    async enqueue(hostId, name, data, jobId) {
      await queueFor(hostId).add(name, data, {
        jobId,
        attempts: 3,
        backoff: { type: "exponential", delay: 1000 },
        removeOnComplete: { age: 24 * 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
