import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { ImageRow } from "@/db/schema";
import { storedImagePath } from "@/server/domain/images/import-image";
import { parseRange, rangeApplies } from "./http-range";

/** A file name for the browser's save dialog: the image's name, version and what the file is. */
export function downloadName(image: Pick<ImageRow, "name" | "version" | "format" | "sourceFormat">): string {
  const base =
    image.name
      .replace(/[^\w.-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 100) || "image";
  const ext = image.sourceFormat === "iso" ? "iso" : image.format === "qcow2" ? "qcow2" : "img";
  return `${base}-v${image.version}.${ext}`;
}

/**
 * The stored file with Range support (RFC 7233: 206 with Content-Range, 416 out of range, If-Range
 * against the ETag, which is the sha256 — it never changes for a stored file, so a resumed download
 * can trust that the bytes it already has still fit).
 */
export async function imageFileResponse(
  req: Request,
  image: ImageRow,
  storeDir: string,
  opts: { attachment?: boolean } = {},
): Promise<Response> {
  const path = storedImagePath(storeDir, image.sha256);
  const size = (await stat(path)).size;
  const etag = `"${image.sha256}"`;
  const headers: Record<string, string> = {
    "content-type": image.sourceFormat === "iso" ? "application/x-iso9660-image" : "application/octet-stream",
    "accept-ranges": "bytes",
    etag,
    "x-image-sha256": image.sha256,
    "cache-control": "private, no-cache",
    ...(opts.attachment ? { "content-disposition": `attachment; filename="${downloadName(image)}"` } : {}),
  };
  const range = rangeApplies(req.headers.get("if-range"), etag)
    ? parseRange(req.headers.get("range"), size)
    : null;
  if (range === "unsatisfiable")
    return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  const rangeHeaders: Record<string, string> = range
    ? { "content-range": `bytes ${start}-${end}/${size}` }
    : {};
  if (req.method === "HEAD" || length === 0) {
    return new Response(null, {
      status: range ? 206 : 200,
      headers: { ...headers, ...rangeHeaders, "content-length": String(length) },
    });
  }
  const body = Readable.toWeb(
    createReadStream(path, { start, end, highWaterMark: 1024 * 1024 }),
  ) as ReadableStream;
  return new Response(body, {
    status: range ? 206 : 200,
    headers: { ...headers, ...rangeHeaders, "content-length": String(length) },
  });
}
