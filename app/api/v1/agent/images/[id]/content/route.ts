import { eq } from "drizzle-orm";
import { images } from "@/db/schema";
import { imageFileResponse } from "@/server/api/image-file-response";
import { errorResponse } from "@/server/api/rest";
import { db } from "@/server/db";
import { DomainError } from "@/server/domain/errors";
import { authenticateHost } from "@/server/domain/hosts/find-hosts";
import { settings } from "@/server/settings";
import { msg } from "@/common/message";

export const dynamic = "force-dynamic";

/**
 * Agents fetch base images here with their host credentials. The same file response as a user's
 * download (Range, If-Range against the sha256 ETag), so an interrupted fetch resumes.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  try {
    const host = await authenticateHost(db, req.headers.get("authorization"));
    if (!host) throw new DomainError("UNAUTHORIZED", msg("hosts.unknownHostSecret"));
    const { id } = await ctx.params;
    const [image] = await db.select().from(images).where(eq(images.id, id));
    if (!image) throw new DomainError("NOT_FOUND", msg("notFound.image"));
    return await imageFileResponse(req, image, settings.imageStoreDir);
  } catch (err) {
    return errorResponse(err);
  }
}
