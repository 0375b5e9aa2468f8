// The portal's one tus server. Shared through globalThis: the custom server (server/main.ts, which
// serves an upload's own requests straight from Node's socket) and the App Router route files run in
// one process and must share one table of uploads being written.
import type { Database } from "@/server/db/client";
import { recordAudit } from "@/server/domain/audit/record-audit";
import { resolveSessionOrTokenCaller } from "@/server/http/caller";
import { log } from "@/server/log";
import { getServices } from "@/server/services";
import { createTusServer } from "./tus-server";

export const UPLOADS_PATH = "/api/v1/uploads";

function buildPortalTus(db: Database) {
  // Read when the first upload request arrives (tests point the store elsewhere before that).
  const { settings, redis } = getServices();
  return createTusServer({
    db,
    storeDir: settings.imageStoreDir,
    maxBytes: settings.imageMaxBytes,
    convertTimeoutSeconds: settings.imageConvertTimeoutSeconds,
    maxVirtualBytes: settings.imageMaxVirtualBytes,
    basePath: UPLOADS_PATH,
    // The browser's session, or a script's API token (the CLI uploads resumably with its token).
    resolveCaller: (req) =>
      resolveSessionOrTokenCaller(req, {
        db,
        redis,
        redisPrefix: settings.redisPrefix,
        secret: settings.sessionSecret,
        tokenLimits: settings.apiTokenLimits,
      }),
    onImportError: (err) => log.error({ err }, "image import failed"),
    onImportStarted: (taskId, done) => void done.then(() => log.info({ taskId }, "image import finished")),
    audit: (actor, targetId, ok, ip) =>
      recordAudit(db, {
        actorId: actor.id,
        actorName: actor.username,
        action: "images.upload",
        targetType: "images",
        targetId,
        result: ok ? "success" : "failure",
        ip,
      }).catch((err) => log.error({ err }, "audit record failed")),
  });
}

export type PortalTus = ReturnType<typeof buildPortalTus>;
const g = globalThis as { __educloudTus?: PortalTus };
/** The process's tus server, on the given pool (tests and benches pass their own). */
export const sharedPortalTus = (db: Database = getServices().db): PortalTus =>
  (g.__educloudTus ??= buildPortalTus(db));
