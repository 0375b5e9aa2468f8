// The composition root: the one place that builds what a portal process shares (the database pool,
// Redis connections, BullMQ queues and the host job port, settings) and hands the same instances to
// everyone: the custom server (server/main.ts), the App Router's route handlers and the tRPC context.
//
// server/main.ts runs under tsx while Next compiles route modules into bundles of their own, so a module
// singleton here would be a different object in each. The services live on globalThis under a
// registered symbol instead: main.ts builds them first, and a route handler finds them there. When
// Next runs without main.ts (next dev, tests importing route modules), the first caller builds them
// the same way. Each piece is built on first use, so a process that never queues a job opens no queue.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createDatabase, type Database, type DatabaseHandle } from "./db/client";
import type { JobPort } from "./domain/context";
import { env, type Env } from "./env";
import { log } from "./log";
import { createHostChannel } from "./queue/host-channel";
import { createHostJobPort } from "./queue/host-jobs";
import { createQueueConnection, createRedis } from "./queue/redis";
import { settingsFromEnv, type PortalSettings } from "./settings";

export interface Services {
  settings: PortalSettings;
  log: Logger;
  /** The pool for request work (tRPC, REST, uploads, consoles). */
  readonly dbHandle: DatabaseHandle;
  readonly db: Database;
  /**
   * The controller's own small pool: agents' events arrive in bursts (every host's heartbeat, a
   * class starting 30 instances at once) and must neither wait behind users' requests nor take the
   * connections those requests need.
   */
  readonly controllerDb: DatabaseHandle;
  /** Short commands: rate limits, console tickets, health. Fails fast while Redis is down. */
  readonly redis: Redis;
  /** BullMQ's connection (blocking commands, unlimited retries). */
  readonly queueConnection: Redis;
  readonly jobs: JobPort & { close(): Promise<void> };
  /** Each host's Redis user (its own queues only); granted at join, removed at revoke. */
  readonly hostChannel: ReturnType<typeof createHostChannel>;
  /** The portal's own queue for housekeeping jobs. */
  readonly systemQueue: Queue;
  close(): Promise<void>;
}

function lazily<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

export function buildServices(from: Env = env): Services {
  const settings = settingsFromEnv(from);
  const dbHandle = lazily(() => createDatabase(settings.databaseUrl));
  const controllerDb = lazily(() => createDatabase(settings.databaseUrl, { connectionLimit: 4 }));
  const redis = lazily(() => {
    const r = createRedis(settings.redisUrl);
    r.on("error", () => {
      /* reported by the health check; ioredis reconnects by itself */
    });
    return r;
  });
  const queueConnection = lazily(() => {
    const r = createQueueConnection(settings.redisUrl);
    r.on("error", () => {});
    return r;
  });
  const jobs = lazily(() => createHostJobPort(queueConnection(), settings.redisPrefix));
  const hostChannel = lazily(() => createHostChannel(redis(), settings.redisPrefix, settings.redisUrl));
  const systemQueue = lazily(
    () => new Queue("system", { connection: queueConnection(), prefix: `${settings.redisPrefix}:bull` }),
  );
  const built = new Set<string>();
  const track =
    <T>(name: string, get: () => T) =>
    () => {
      built.add(name);
      return get();
    };
  return {
    settings,
    log,
    get dbHandle() {
      return track("db", dbHandle)();
    },
    get db() {
      return track("db", dbHandle)().db;
    },
    get controllerDb() {
      return track("controllerDb", controllerDb)();
    },
    get redis() {
      return track("redis", redis)();
    },
    get queueConnection() {
      return track("queueConnection", queueConnection)();
    },
    get jobs() {
      return track("jobs", jobs)();
    },
    get hostChannel() {
      return track("redis", hostChannel)();
    },
    get systemQueue() {
      return track("systemQueue", systemQueue)();
    },
    async close() {
      if (built.has("systemQueue"))
        await systemQueue()
          .close()
          .catch(() => undefined);
      if (built.has("jobs"))
        await jobs()
          .close()
          .catch(() => undefined);
      if (built.has("db"))
        await dbHandle()
          .pool.end()
          .catch(() => undefined);
      if (built.has("controllerDb"))
        await controllerDb()
          .pool.end()
          .catch(() => undefined);
      if (built.has("redis")) redis().disconnect();
      if (built.has("queueConnection") || built.has("jobs") || built.has("systemQueue"))
        queueConnection().disconnect();
    },
  };
}

const SERVICES = Symbol.for("educloud.services");
const holder = globalThis as { [SERVICES]?: Services };

/** The process's services: those the root installed, or built now from the environment. */
export function getServices(): Services {
  return (holder[SERVICES] ??= buildServices());
}

/** For the root (and tests that bring their own database): make these the process's services. */
export function installServices(services: Services): Services {
  holder[SERVICES] = services;
  return services;
}

/** Closes whatever this process's services opened and forgets them (tools and benchmarks that exit). */
export async function releaseServices(): Promise<boolean> {
  const services = holder[SERVICES];
  if (!services) return false;
  delete holder[SERVICES];
  await services.close();
  return true;
}
