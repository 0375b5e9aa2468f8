// The portal's HTTP server: serves Next.js and owns WebSocket upgrades (the console proxy hangs here).
import { createServer, type IncomingMessage } from "node:http";
import next from "next";
import { CLIENT_IP_HEADER } from "./auth/client-ip";
import { NO_PERSISTENCE_WARNING, readRedisPersistence } from "./domain/health/check-health";
import { env } from "./env";
import { log } from "./log";
import { deriveConsoleSigningKey } from "./console/console-key";
import { createConsoleProxy } from "./console/console-proxy";
import { createDatabase } from "./db/client";
import { startController } from "./queue/controller";
import { sharedPortalTus } from "./uploads/build-portal-tus";
import { matchUploadRequest, serveUploadRequest } from "./uploads/serve-upload-node";
import { startMaintenance } from "./queue/maintenance";
import { failInterruptedImports } from "./domain/tasks/manage-tasks";
import { createHostJobPort } from "./queue/host-jobs";
import { createQueueConnection, createRedis } from "./queue/redis";

const dev = env.NODE_ENV !== "production";

function clientIpOf(req: IncomingMessage): string {
  if (env.TRUST_PROXY) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
}

async function warnIfRedisForgets(): Promise<void> {
  const redis = createRedis(env.REDIS_URL);
  redis.on("error", () => {});
  try {
    const p = await readRedisPersistence(redis);
    if (p && !p.aof && !p.rdb) log.warn(NO_PERSISTENCE_WARNING);
  } catch (err) {
    log.warn({ err }, "could not read Redis persistence settings");
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const app = next({ dev, hostname: env.HOST === "0.0.0.0" ? "localhost" : env.HOST, port: env.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();

  // An upload's own requests skip Next: its bytes go from the socket to the file (serve-upload-node.ts).
  const uploads = sharedPortalTus(createDatabase(env.DATABASE_URL).db);
  const server = createServer((req, res) => {
    // Whatever a client sent under our header is dropped; only the socket (or a trusted proxy) counts.
    req.headers[CLIENT_IP_HEADER] = clientIpOf(req);
    const uploadId = matchUploadRequest(req.method, req.url);
    const work = uploadId ? serveUploadRequest(uploads, uploadId, req, res) : handle(req, res);
    work.catch((err: unknown) => {
      log.error({ err, url: req.url }, "request failed");
      if (!res.headersSent) res.writeHead(500).end("Internal Server Error");
    });
  });

  const consoleRedis = createRedis(env.REDIS_URL);
  consoleRedis.on("error", () => {});
  const consoles = createConsoleProxy({
    db: createDatabase(env.DATABASE_URL).db,
    redis: consoleRedis,
    redisPrefix: env.REDIS_PREFIX,
    hostDownAfterSeconds: env.HOST_DOWN_AFTER_SECONDS,
    signingKey: deriveConsoleSigningKey(env.NEXTAUTH_SECRET),
    allowedOrigins: [new URL(env.NEXTAUTH_URL).origin],
    idleTimeoutMs: env.CONSOLE_IDLE_TIMEOUT_SECONDS * 1000,
    maxPerUser: env.CONSOLE_MAX_SESSIONS_PER_USER,
    maxPerProcess: env.CONSOLE_MAX_SESSIONS_PER_PROCESS,
    log: log.child({ component: "console" }),
  });

  const nextUpgrade = app.getUpgradeHandler();
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://portal").pathname;
    if (path.startsWith("/console/")) return consoles.handleUpgrade(req, socket, head);
    if (dev) return void nextUpgrade(req, socket, head);
    socket.destroy();
  });

  server.listen(env.PORT, env.HOST, () => {
    log.info(
      { url: `http://localhost:${env.PORT}`, mode: dev ? "development" : "production" },
      "eduCloud portal is listening",
    );
  });
  void warnIfRedisForgets();

  // The controller records agents' events (state, progress, heartbeats) in MySQL.
  const controllerDb = createDatabase(env.DATABASE_URL);
  const queueConn = createQueueConnection(env.REDIS_URL);
  queueConn.on("error", () => {});
  const controller = startController({
    db: controllerDb.db,
    jobs: createHostJobPort(queueConn, env.REDIS_PREFIX),
    connection: queueConn,
    prefix: env.REDIS_PREFIX,
    log: log.child({ component: "controller" }),
  });
  const interrupted = await failInterruptedImports(controllerDb.db).catch(() => 0);
  if (interrupted)
    log.warn(
      { tasks: interrupted },
      "image imports and capture storing cut off by the last shutdown were marked failed",
    );
  const maintenance = await startMaintenance({
    db: controllerDb.db,
    connection: queueConn,
    prefix: env.REDIS_PREFIX,
    log: log.child({ component: "maintenance" }),
  });

  const stop = (signal: string) => {
    log.info({ signal }, "shutting down");
    void controller.close().catch(() => undefined);
    void maintenance.close().catch(() => undefined);
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err) => {
  log.fatal({ err }, "portal failed to start");
  process.exit(1);
});
