// The portal's one tus server, built from a database handle. Shared through globalThis: the custom
// server (server/main.ts, which serves an upload's own requests straight from Node's socket) and the
// App Router route files run in one process and must share one table of uploads being written.
import { permissionFor, roleMeets } from "@/server/auth/permissions";
import type { Database } from "@/server/db/client";
import { recordAudit } from "@/server/domain/audit/record-audit";
import { env } from "@/server/env";
import { log } from "@/server/log";
import { actorFromRequest } from "./request-actor";
import { createTusServer } from "./tus-server";

export const UPLOADS_PATH = "/api/v1/uploads";

function buildPortalTus(db: Database) {
  const upload = permissionFor("images", "upload");
  return createTusServer({
    db,
    storeDir: env.IMAGE_STORE_DIR,
    maxBytes: env.IMAGE_MAX_BYTES,
    convertTimeoutSeconds: env.IMAGE_CONVERT_TIMEOUT_SECONDS,
    basePath: UPLOADS_PATH,
    authenticate: (req) => actorFromRequest(req, { db, secret: env.NEXTAUTH_SECRET }),
    mayUpload: (actor) => roleMeets(actor.role, upload.least),
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
export const sharedPortalTus = (db: Database): PortalTus => (g.__educloudTus ??= buildPortalTus(db));
