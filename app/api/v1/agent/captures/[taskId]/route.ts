import { z } from "zod";
import { errorResponse } from "@/server/api/rest";
import { db } from "@/server/db";
import { receiveCapture } from "@/server/domain/captures/receive-capture";
import { DomainError } from "@/server/domain/errors";
import { env } from "@/server/env";
import { log } from "@/server/log";
import { settings } from "@/server/settings";
import { msg } from "@/common/message";

export const dynamic = "force-dynamic";

/** A host's agent uploads the disk it captured for a capture task (host credentials; body = qcow2). */
export async function PUT(req: Request, ctx: { params: Promise<{ taskId: string }> }) {
  try {
    const taskId = z.uuid().safeParse((await ctx.params).taskId);
    if (!taskId.success) throw new DomainError("NOT_FOUND", msg("notFound.captureTaskId"));
    const { imageId } = await receiveCapture(
      {
        db,
        storeDir: settings.imageStoreDir,
        maxBytes: env.IMAGE_MAX_BYTES,
        convertTimeoutSeconds: env.IMAGE_CONVERT_TIMEOUT_SECONDS,
        onError: (err, what) => log.error({ err }, what),
      },
      { authorization: req.headers.get("authorization"), taskId: taskId.data, body: req.body },
    );
    return Response.json({ imageId }, { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}
