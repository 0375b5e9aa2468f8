import "server-only";
import type { Redis } from "ioredis";
import { Queue } from "bullmq";
import { env } from "@/server/env";
import { createHostJobPort } from "./host-jobs";
import { createQueueConnection, createRedis } from "./redis";

const g = globalThis as unknown as {
  educloudRedis?: Redis;
  educloudQueueConn?: Redis;
  educloudSystemQueue?: Queue;
};

/** Short commands: rate limits, tickets, health. */
export const redis: Redis = (g.educloudRedis ??= createRedis(env.REDIS_URL));
redis.on("error", () => {
  /* reported by the health check; ioredis reconnects by itself */
});

function queueConnection(): Redis {
  if (!g.educloudQueueConn) {
    g.educloudQueueConn = createQueueConnection(env.REDIS_URL);
    g.educloudQueueConn.on("error", () => {});
  }
  return g.educloudQueueConn;
}

/** The portal's own queue for housekeeping jobs; per-host queues arrive with the compute issue. */
export function getSystemQueue(): Queue {
  return (g.educloudSystemQueue ??= new Queue("system", {
    connection: queueConnection(),
    prefix: `${env.REDIS_PREFIX}:bull`,
  }));
}

/** Producer for per-host job queues (the domain sees it as a JobPort). */
export function getHostJobs() {
  return ((g as { educloudHostJobs?: ReturnType<typeof createHostJobPort> }).educloudHostJobs ??=
    createHostJobPort(queueConnection(), env.REDIS_PREFIX));
}
