import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { hostQueueName } from "@/agents/protocol";
import type { HostJobInspector } from "@/server/domain/instances/reap-stuck-instances";

/**
 * Reads hosts' job queues for the reaper. A job in BullMQ's failed set has failed for good (retries wait
 * in "delayed"); that includes a job that stalled more often than allowed (its agent died under it),
 * which no worker reports — BullMQ moves it to failed inside Redis without emitting "failed".
 */
export function createHostJobInspector(
  connection: Redis,
  prefix: string,
): HostJobInspector & {
  close(): Promise<void>;
} {
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
    async finalFailure(hostId, jobId) {
      const job = await queueFor(hostId).getJob(jobId);
      if (!job) return null;
      return (await job.getState()) === "failed" ? job.failedReason || "failed" : null;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
    },
  };
}
