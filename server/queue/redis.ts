import { Redis, type RedisOptions } from "ioredis";

/**
 * Commands fail at once while Redis is unreachable (no offline queue), so health checks and the login
 * limiter answer quickly instead of hanging; the client keeps reconnecting in the background.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
    ...options,
  });
}

/** BullMQ needs its own connection with unlimited retries (its blocking commands must wait). */
export function createQueueConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableOfflineQueue: true, connectTimeout: 3000 });
}
