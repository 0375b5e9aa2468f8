import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { images } from "@/db/schema";
import { parseRange } from "@/server/api/http-range";
import { errorResponse } from "@/server/api/rest";
import { db } from "@/server/db";
import { DomainError } from "@/server/domain/errors";
import { authenticateHost } from "@/server/domain/hosts/find-hosts";
import { storedImagePath } from "@/server/domain/images/import-image";
import { settings } from "@/server/settings";

export const dynamic = "force-dynamic";

/** Agents fetch base images here with their host credentials; Range lets an interrupted fetch resume. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  try {
    const host = await authenticateHost(db, req.headers.get("authorization"));
    if (!host) throw new DomainError("UNAUTHORIZED", "Unknown host or wrong host secret.");
    const { id } = await ctx.params;
    const [image] = await db.select().from(images).where(eq(images.id, id));
    if (!image) throw new DomainError("NOT_FOUND", "The image was not found.");
    const path = storedImagePath(settings.imageStoreDir, image.sha256);
    const size = (await stat(path)).size;
    const range = parseRange(req.headers.get("range"), size);
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream", "accept-ranges": "bytes", "x-image-sha256": image.sha256, "cache-control": "no-store",
    };
    if (range === "unsatisfiable") return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const body = Readable.toWeb(createReadStream(path, { start, end, highWaterMark: 1024 * 1024 })) as ReadableStream;
    return new Response(body, {
      status: range ? 206 : 200,
      headers: { ...headers, "content-length": String(end - start + 1), ...(range ? { "content-range": `bytes ${start}-${end}/${size}` } : {}) },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
