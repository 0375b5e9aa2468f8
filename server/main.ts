// The portal's HTTP server: serves Next.js and owns WebSocket upgrades (the console proxy hangs here).
import { createServer } from "node:http";
import next from "next";
import { CLIENT_IP_HEADER, clientAddressOf } from "./auth/client-ip";
import { securityHeaders } from "./http/security-headers";
import { readRedisPersistence, redisDurabilityWarnings } from "./domain/health/check-health";
import { renderEnglish } from "./domain/render-english";
import { log } from "./log";
import { deriveConsoleSigningKey } from "./console/console-key";
import { createConsoleProxy } from "./console/console-proxy";
import { startController } from "./queue/controller";
import { sharedPortalTus } from "./uploads/build-portal-tus";
import { matchUploadRequest, serveUploadRequest } from "./uploads/serve-upload-node";
import { startMaintenance } from "./queue/maintenance";
import { failInterruptedImports } from "./domain/tasks/manage-tasks";
import { getServices, type Services } from "./services";

async function warnIfRedisForgets(services: Services): Promise<void> {
  try {
    const p = await readRedisPersistence(services.redis);
    for (const m of p ? redisDurabilityWarnings(p) : []) log.warn(renderEnglish(m));
  } catch (err) {
    log.warn({ err }, "could not read Redis persistence settings");
  }
}

async function main(): Promise<void> {
  // Built before Next loads a route module, so route handlers and the tRPC context find these very
  // instances (server/services.ts explains the hand-over).
  const services = getServices();
  const { settings } = services;
  const dev = !settings.production;
  const { listenHost: host, listenPort: port } = settings;
  const app = next({ dev, hostname: host === "0.0.0.0" ? "localhost" : host, port });
  const handle = app.getRequestHandler();
  await app.prepare();

  // An upload's own requests skip Next: its bytes go from the socket to the file (serve-upload-node.ts).
  const uploads = sharedPortalTus(services.db);
  const headers = securityHeaders({ production: settings.production, portalOrigin: settings.portalOrigin });
  const server = createServer((req, res) => {
    // Whatever a client sent under our header is dropped; only the socket (or a trusted proxy) counts.
    req.headers[CLIENT_IP_HEADER] = clientAddressOf(
      req.socket.remoteAddress,
      req.headers["x-forwarded-for"],
      settings.trustProxy,
    );
    // On every answer, pages and API alike (Next keeps headers already set on the response).
    for (const [name, value] of headers) res.setHeader(name, value);
    const uploadId = matchUploadRequest(req.method, req.url);
    const work = uploadId ? serveUploadRequest(uploads, uploadId, req, res) : handle(req, res);
    work.catch((err: unknown) => {
      log.error({ err, url: req.url }, "request failed");
      if (!res.headersSent) res.writeHead(500).end("Internal Server Error");
    });
  });

  const consoles = createConsoleProxy({
    db: services.db,
    redis: services.redis,
    redisPrefix: settings.redisPrefix,
    hostDownAfterSeconds: settings.hostDownAfterSeconds,
    signingKey: deriveConsoleSigningKey(settings.sessionSecret),
    ticketKey: settings.consoleTicketKey,
    allowedOrigins: [settings.portalOrigin],
    idleTimeoutMs: settings.consoleIdleTimeoutMs,
    maxPerUser: settings.consoleMaxSessionsPerUser,
    maxPerProcess: settings.consoleMaxSessionsPerProcess,
    log: log.child({ component: "console" }),
  });

  const nextUpgrade = app.getUpgradeHandler();
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://portal").pathname;
    if (path.startsWith("/console/")) return consoles.handleUpgrade(req, socket, head);
    if (dev) return void nextUpgrade(req, socket, head);
    socket.destroy();
  });

  server.listen(port, host, () => {
    log.info(
      { url: `http://localhost:${port}`, mode: dev ? "development" : "production" },
      "eduCloud portal is listening",
    );
  });
  void warnIfRedisForgets(services);
  if (settings.retiredVolumeQuotaGiB !== null)
    log.warn(
      { VOLUME_QUOTA_GIB_PER_USER: settings.retiredVolumeQuotaGiB },
      "VOLUME_QUOTA_GIB_PER_USER is no longer read: volumes count in the disk (GiB) quota with instance disks; set it per role, group or user under Admin → Quotas",
    );

  // The controller records agents' events (state, progress, heartbeats) in MySQL.
  const controllerDb = services.controllerDb;
  const queueConn = services.queueConnection;
  const controller = startController({
    db: controllerDb.db,
    jobs: services.jobs,
    connection: queueConn,
    prefix: settings.redisPrefix,
    hostChannel: services.hostChannel,
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
    prefix: settings.redisPrefix,
    reaper: settings.reaper,
    log: log.child({ component: "maintenance" }),
    pools: { jobs: services.jobs, settings, hostPowerOps: settings.poolHostPowerOps },
    kiosks: { redis: services.redis, jobs: services.jobs, settings },
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
