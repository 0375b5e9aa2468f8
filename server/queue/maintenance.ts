// The portal's scheduled housekeeping, as BullMQ job schedulers on the "system" queue: with several
// portal processes each tick runs once, not once per process.
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Database } from "@/server/db/client";
import { expireSubnets } from "@/server/domain/networks/ipam";
import { reapStuckInstances, type InstanceDeadlines } from "@/server/domain/instances/reap-stuck-instances";
import { reapStuckTasks } from "@/server/domain/tasks/reap-stuck-tasks";
import { createHostJobInspector } from "./inspect-host-jobs";
import type { DomainSettings, JobPort } from "@/server/domain/context";
import { controlPools } from "@/server/domain/pools/control-pools";
import { setPoolNudge } from "@/server/domain/pools/pool-nudge";
import { signOutIdleKiosks } from "@/server/domain/terminals/kiosk-idle";

/** How long work handed to a host may go without news before the reaper gives it up (settings). */
export interface ReaperSettings extends InstanceDeadlines {
  hostTaskSilentSeconds: number;
  hostDownAfterSeconds: number;
}

export const SYSTEM_QUEUE = "system";

export async function startMaintenance(deps: {
  db: Database;
  connection: Redis;
  prefix: string;
  log: Logger;
  expireEveryMs?: number;
  /** Without it no reaping is scheduled (tests of other housekeeping). */
  reaper?: ReaperSettings;
  reapEveryMs?: number;
  /** Without it no pool controller runs (tests of other housekeeping). */
  pools?: { jobs: JobPort; settings: DomainSettings; hostPowerOps: number; everyMs?: number };
  /** Without it idle kiosk sign-ins are ended only when their kiosk next asks (tests of other housekeeping). */
  kiosks?: { redis: Redis; jobs: JobPort; settings: DomainSettings; everyMs?: number };
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
  // Instances and hosts' tasks that can no longer finish are failed with the reason (a few seconds late
  // at most: deadlines are minutes).
  const reaper = deps.reaper;
  const inspector = createHostJobInspector(deps.connection, deps.prefix);
  if (reaper)
    await queue.upsertJobScheduler(
      "reap-stuck-work",
      { every: deps.reapEveryMs ?? 15_000 },
      { name: "reap-stuck-work", opts: { removeOnComplete: true, removeOnFail: { count: 20 } } },
    );
  // Desktop pools: a short interval, and a nudge when a desktop changes state (one pending nudge at most:
  // the same job id is added once until it has run).
  const poolDeps = deps.pools;
  if (poolDeps) {
    await queue.upsertJobScheduler(
      "pools-control",
      { every: poolDeps.everyMs ?? 5000 },
      { name: "pools.control", opts: { removeOnComplete: true, removeOnFail: { count: 20 } } },
    );
    setPoolNudge(() => {
      void queue
        .add("pools.control", {}, { jobId: "pools-nudge", removeOnComplete: true, removeOnFail: true })
        .catch(() => undefined);
    });
  }
  // Students who walked away from a kiosk (or whose PC was switched off) are signed out there.
  const kiosks = deps.kiosks;
  if (kiosks)
    await queue.upsertJobScheduler(
      "kiosks-sign-out-idle",
      { every: kiosks.everyMs ?? 30_000 },
      { name: "kiosks.sign-out-idle", opts: { removeOnComplete: true, removeOnFail: { count: 20 } } },
    );
  const worker = new Worker(
    SYSTEM_QUEUE,
    async (job) => {
      if (job.name === "kiosks.sign-out-idle" && kiosks) {
        const n = await signOutIdleKiosks({ db: deps.db, ...kiosks });
        if (n) deps.log.info({ signedOut: n }, "idle kiosk sign-ins ended");
      }
      if (job.name === "ipam.expire-subnets") {
        const n = await expireSubnets(deps.db);
        if (n) deps.log.info({ expired: n }, "unconfirmed subnets returned to the pool");
      }
      if (job.name === "pools.control" && poolDeps) {
        const r = await controlPools({
          db: deps.db,
          jobs: poolDeps.jobs,
          settings: poolDeps.settings,
          hostPowerOps: poolDeps.hostPowerOps,
          log: deps.log,
        });
        if (r.created || r.deleted || r.replaced) deps.log.info(r, "pools adjusted");
      }
      if (job.name === "reap-stuck-work" && reaper) {
        const instances = await reapStuckInstances(deps.db, reaper, inspector);
        const tasks = await reapStuckTasks(
          deps.db,
          { silentSeconds: reaper.hostTaskSilentSeconds, hostDownAfterSeconds: reaper.hostDownAfterSeconds },
          inspector,
        );
        if (instances || tasks)
          deps.log.warn({ instances, tasks }, "work the hosts could not finish was put in error");
      }
    },
    { connection: deps.connection, prefix: `${deps.prefix}:bull`, concurrency: 1 },
  );
  worker.on("failed", (job, err) =>
    deps.log.warn({ job: job?.name, err: err.message }, "maintenance job failed"),
  );
  return {
    async close() {
      if (poolDeps) setPoolNudge(null);
      await worker.close();
      await queue.close();
      await inspector.close();
    },
  };
}
