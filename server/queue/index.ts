import "server-only";
import type { Redis } from "ioredis";
import type { Queue } from "bullmq";
import { getServices } from "@/server/services";

// Redis, the system queue and the host job port come from the composition root (server/services.ts).

/** Short commands: rate limits, tickets, health. */
export const redis: Redis = getServices().redis;

/** The portal's own queue for housekeeping jobs. */
export function getSystemQueue(): Queue {
  return getServices().systemQueue;
}

/** Producer for per-host job queues (the domain sees it as a JobPort). */
export function getHostJobs() {
  return getServices().jobs;
}
