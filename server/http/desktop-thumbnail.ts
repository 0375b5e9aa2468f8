// GET /api/v1/desktops/:id/thumbnail — the classroom view's live screen of one desktop, as image/png.
// Never cached (each answer is the screen now); refused like any other route when out of scope.
import { z } from "zod";
import { findThumbnailTarget } from "@/server/domain/desktops/thumbnail-target";
import { notFound } from "@/server/domain/errors";
import { actorOf } from "@/server/domain/policies/caller";
import { deriveConsoleSigningKey } from "@/server/console/console-key";
import { fetchThumbnail } from "@/server/console/fetch-thumbnail";
import { defineHandler } from "./handler";

const desktopId = z.object({ id: z.uuid() });

let signingKey: { secret: string; key: ReturnType<typeof deriveConsoleSigningKey> } | null = null;
const keyFor = (secret: string) => {
  if (signingKey?.secret !== secret) signingKey = { secret, key: deriveConsoleSigningKey(secret) };
  return signingKey.key;
};

export const desktopThumbnail = defineHandler({
  resource: "desktops",
  action: "thumbnail",
  credentials: "session",
  params: desktopId,
  invalid: () => notFound("desktop"),
  headers: { "cache-control": "no-store" },
  async handle({ caller, params, services: { db, settings } }) {
    const target = await findThumbnailTarget(
      { db, hostDownAfterSeconds: settings.hostDownAfterSeconds },
      actorOf(caller)!,
      params.id,
    );
    const png = await fetchThumbnail(target, keyFor(settings.sessionSecret));
    return new Response(new Uint8Array(png), {
      status: 200,
      headers: {
        "content-type": "image/png",
        "content-length": String(png.length),
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  },
});
