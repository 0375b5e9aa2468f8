import { z } from "zod";
import { imageFileResponse } from "@/server/api/image-file-response";
import { errorResponse } from "@/server/api/rest";
import { permissionFor, roleMeets } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { DomainError } from "@/server/domain/errors";
import { findVisibleImageFor } from "@/server/domain/images/find-images";
import { env } from "@/server/env";
import { actorFromRequest } from "@/server/uploads/request-actor";
import { msg } from "@/common/message";

export const dynamic = "force-dynamic";

/**
 * Download any image the caller may see, resumable with Range. Session auth from the cookie; an image
 * the caller may not see answers 404 (its existence is not disclosed).
 */
async function serve(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const actor = await actorFromRequest(req, { db, secret: env.NEXTAUTH_SECRET });
    if (!actor) throw new DomainError("UNAUTHORIZED", msg("auth.signInFirst"));
    if (!roleMeets(actor.role, permissionFor("images", "download").least))
      throw new DomainError("FORBIDDEN", msg("auth.roleForbids"));
    const id = z.uuid().safeParse((await ctx.params).id);
    if (!id.success) throw new DomainError("NOT_FOUND", msg("notFound.image"));
    const image = await findVisibleImageFor(db, actor, id.data);
    return await imageFileResponse(req, image, env.IMAGE_STORE_DIR, { attachment: true });
  } catch (err) {
    return errorResponse(err);
  }
}

export const GET = serve;
export const HEAD = serve;
