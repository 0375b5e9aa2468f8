// Images over plain HTTP: a one-request upload for scripts, and downloads with Range.
import { z } from "zod";
import { issueFieldMessages } from "@/common/issue-message";
import { msg } from "@/common/message";
import { DomainError, notFound } from "@/server/domain/errors";
import { findVisibleImageFor } from "@/server/domain/images/find-images";
import { importImage } from "@/server/domain/images/import-image";
import { authorizeImageUpload } from "@/server/domain/images/manage-images";
import { receiveToIncoming } from "@/server/domain/images/receive-to-incoming";
import { uploadImageInput } from "@/server/domain/images/schemas";
import { actorOf } from "@/server/domain/policies/caller";
import { imageFileResponse } from "./image-file-response";
import { defineHandler, TARGET_HEADER } from "./handler";

const imageId = z.object({ id: z.uuid() });

/**
 * Upload: the request body is the image file, streamed to disk (never held in memory), then checked with
 * qemu-img, converted and kept content-addressed, in one request: `PUT /api/v1/images?name=…&format=…`.
 * For scripts; the portal's UI uploads resumably over tus (/api/v1/uploads).
 */
export const uploadImage = defineHandler({
  resource: "images",
  action: "upload",
  credentials: "sessionOrToken",
  query: uploadImageInput,
  invalid: (error) =>
    new DomainError("INVALID", msg("images.nameAndFormat"), issueFieldMessages(error.issues)),
  audit: true,
  async handle({ req, caller, query, services: { db, settings } }) {
    const image = await authorizeImageUpload(db, actorOf(caller)!, query);
    if (Number(req.headers.get("content-length") ?? 0) > settings.imageMaxBytes)
      throw new DomainError("INVALID", msg("images.tooLarge", { maxBytes: settings.imageMaxBytes }));
    if (!req.body) throw new DomainError("INVALID", msg("images.noBody"));
    const incomingPath = await receiveToIncoming(settings.imageStoreDir, req.body, settings.imageMaxBytes);
    const stored = await importImage(
      {
        db,
        storeDir: settings.imageStoreDir,
        maxBytes: settings.imageMaxBytes,
        convertTimeoutSeconds: settings.imageConvertTimeoutSeconds,
        maxVirtualBytes: settings.imageMaxVirtualBytes,
      },
      { incomingPath, ...image },
    );
    return Response.json(stored, { status: 201, headers: { [TARGET_HEADER]: stored.id } });
  },
});

/**
 * Download any image the caller may see, resumable with Range. An image the caller may not see answers
 * 404 (its existence is not disclosed).
 */
export const downloadImage = defineHandler({
  resource: "images",
  action: "download",
  credentials: "sessionOrToken",
  params: imageId,
  invalid: () => notFound("image"),
  async handle({ req, caller, params, services: { db, settings } }) {
    const image = await findVisibleImageFor(db, actorOf(caller)!, params.id);
    return imageFileResponse(req, image, settings.imageStoreDir, { attachment: true });
  },
});
