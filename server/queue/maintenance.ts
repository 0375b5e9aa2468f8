// The portal's scheduled housekeeping, as BullMQ job schedulers on the "system" queue: with several
// portal processes each tick runs once, not once per process.
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Database } from "@/server/db/client";
import { expireSubnets } from "@/server/domain/networks/ipam";

export const SYSTEM_QUEUE = "system";

export async function startMaintenance(deps: {
  db: Database;
  connection: Redis;
  prefix: string;
  log: Logger;
  expireEveryMs?: number;
}): Promise<{ close(): Promise<void> }> {
  const queue = new Queue(SYSTEM_QUEUE, { connection: deps.connection, prefix: `${deps.prefix}:bull` });
  // Unconfirmed subnets go back to the pool within a few seconds of their time (seed 001: 120 s).
  await queue.upsertJobScheduler(
    "ipam-expire-subnets",
    { every: deps.expireEveryMs ?? 5000 },
    {
      name: "ipam.expire-subnets",
      opts: { removeOnComplete: true, removeOnFail: { count: 20 } },
    },
  );
  const worker = new Worker(
    SYSTEM_QUEUE,
    async (job) => {
      if (job.name === "ipam.expire-subnets") {
        const n = await expireSubnets(deps.db);
        if (n) deps.log.info({ expired: n }, "unconfirmed subnets returned to the pool");
      }
    },
    { connection: deps.connection, prefix: `${deps.prefix}:bull`, concurrency: 1 },
  );
  worker.on("failed", (job, err) =>
    deps.log.warn({ job: job?.name, err: err.message }, "maintenance job failed"),
  );
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
