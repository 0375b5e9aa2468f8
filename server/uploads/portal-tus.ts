import "server-only";
import { permissionFor, roleMeets } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { recordAudit } from "@/server/domain/audit/record-audit";
import { env } from "@/server/env";
import { log } from "@/server/log";
import { actorFromRequest } from "./request-actor";
import { createTusServer } from "./tus-server";

export const UPLOADS_PATH = "/api/v1/uploads";

/**
 * The portal's one tus server. On globalThis because the two route files (creation, and one upload)
 * may be bundled separately, and "one PATCH at a time per upload" needs one shared table.
 */
function build() {
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
    audit: (actor, targetId, ok) => recordAudit(db, {
      actorId: actor.id, actorName: actor.username, action: "images.upload", targetType: "images", targetId, result: ok ? "success" : "failure", ip: null,
    }).catch((err) => log.error({ err }, "audit record failed")),
  });
}

const g = globalThis as { __educloudTus?: ReturnType<typeof build> };
export const portalTus = (): ReturnType<typeof build> => (g.__educloudTus ??= build());
