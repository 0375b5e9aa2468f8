import { restHandler } from "@/server/api/rest";
import { db } from "@/server/db";
import { DomainError } from "@/server/domain/errors";
import { receiveToIncoming } from "@/server/domain/images/receive-to-incoming";
import { importImage } from "@/server/domain/images/import-image";
import { authorizeImageUpload } from "@/server/domain/images/manage-images";
import { uploadImageInput } from "@/server/domain/images/schemas";
import { env } from "@/server/env";
import { settings } from "@/server/settings";
import { issueFieldMessages } from "@/common/issue-message";
import { msg } from "@/common/message";

export const dynamic = "force-dynamic";

/**
 * Upload: the request body is the image file, streamed to disk (never held in memory), then checked with
 * qemu-img, converted and kept content-addressed, in one request: `PUT /api/v1/images?name=…&format=…`.
 * For scripts; the portal's UI uploads resumably over tus (/api/v1/uploads).
 */
export const PUT = restHandler(
  "images",
  "upload",
  async (req, actor) => {
    const parsed = uploadImageInput.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) {
      throw new DomainError("INVALID", msg("images.nameAndFormat"), issueFieldMessages(parsed.error.issues));
    }
    const image = await authorizeImageUpload(db, actor, parsed.data);
    if (Number(req.headers.get("content-length") ?? 0) > env.IMAGE_MAX_BYTES)
      throw new DomainError("INVALID", msg("images.tooLarge", { maxBytes: env.IMAGE_MAX_BYTES }));
    if (!req.body) throw new DomainError("INVALID", msg("images.noBody"));
    const incomingPath = await receiveToIncoming(settings.imageStoreDir, req.body, env.IMAGE_MAX_BYTES);
    const stored = await importImage(
      {
        db,
        storeDir: settings.imageStoreDir,
        maxBytes: env.IMAGE_MAX_BYTES,
        convertTimeoutSeconds: env.IMAGE_CONVERT_TIMEOUT_SECONDS,
      },
      { incomingPath, ...image },
    );
    return Response.json(stored, { status: 201, headers: { "x-educloud-target": stored.id } });
  },
  { audit: true },
);
