import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { restHandler } from "@/server/api/rest";
import { db } from "@/server/db";
import { DomainError } from "@/server/domain/errors";
import { importImage, incomingDir } from "@/server/domain/images/import-image";
import { settings } from "@/server/settings";

export const dynamic = "force-dynamic";

const query = z.object({
  name: z.string().trim().min(1).max(128),
  format: z.enum(["qcow2", "raw"]),
  visibility: z.enum(["public", "group", "private"]).default("public"),
  osType: z.string().trim().max(64).optional(),
});

/**
 * Upload: the request body is the image file, streamed to disk (never held in memory), then checked with
 * qemu-img and kept content-addressed. `PUT /api/v1/images?name=…&format=qcow2|raw`.
 * (Resumable tus uploads arrive with the images issue.)
 */
export const PUT = restHandler("images", "upload", async (req, actor) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) {
    throw new DomainError("INVALID", "Give the image a name and its format (qcow2 or raw).", Object.fromEntries(parsed.error.issues.map((i) => [i.path.join("."), i.message])));
  }
  if (!req.body) throw new DomainError("INVALID", "The request has no file in its body.");
  const dir = incomingDir(settings.imageStoreDir);
  await mkdir(dir, { recursive: true });
  const incomingPath = join(dir, randomUUID());
  try {
    await pipeline(Readable.fromWeb(req.body as import("node:stream/web").ReadableStream), createWriteStream(incomingPath));
  } catch (err) {
    await rm(incomingPath, { force: true });
    throw err;
  }
  const image = await importImage({ db, storeDir: settings.imageStoreDir }, { incomingPath, ownerId: actor.id, ...parsed.data });
  return Response.json(image, { status: 201, headers: { "x-educloud-target": image.id } });
}, { audit: true });
