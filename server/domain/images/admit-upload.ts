// Admitting a resumable upload before its first byte. An upload in flight is not an image row yet, so the
// images quota (counted from rows) would not see it: five uploads of 1 GiB against a 1 GiB limit would all
// be accepted and fill the incoming directory before the imports refused four. So, under the same quota
// locks an import takes, the announced lengths of the open uploads count as held, and one person may have
// only MAX_OPEN_UPLOADS open at a time. The list of open uploads is the transport's (its metadata files);
// it is read, and the new upload recorded, while the locks are held, so concurrent creations queue.
import { msg } from "@/common/message";
import type { QuotaUsage } from "@/common/quotas";
import type { Database } from "@/server/db/client";
import type { Actor } from "../context";
import { DomainError } from "../errors";
import { lockQuotas, reserveQuota } from "../quotas/reserve-quota";
import { imageGiBOf, imageQuotaRequest, type ImportImageInput } from "./import-image";
import { MAX_OPEN_UPLOADS } from "./schemas";

/** An upload created and not finished, cancelled or forgotten yet. */
export interface OpenUpload {
  ownerId: number;
  /** Its announced length (Upload-Length). */
  length: number;
  image: Pick<ImportImageInput, "visibility" | "groupId">;
}

function pendingOf(uploads: OpenUpload[]): Partial<QuotaUsage> {
  const counted = uploads.filter((u) => u.image.visibility !== "public");
  // Rounded per upload, as each import will count its own.
  const gib = counted.reduce((sum, u) => sum + imageGiBOf(u.length), 0);
  return { images: counted.length, imageGiB: gib };
}

export async function admitUpload(
  db: Database,
  input: {
    actor: Actor;
    image: Omit<ImportImageInput, "incomingPath">;
    length: number;
    /** Every open upload, read under the locks. */
    listOpenUploads: () => Promise<OpenUpload[]>;
    /** Records the new upload; runs under the locks, so the next creation lists it. */
    record: () => Promise<void>;
  },
): Promise<void> {
  const request = imageQuotaRequest(input.image, input.length);
  await db.transaction(
    async (tx) => {
      // The uploader's lock even for a public image (counted for nobody): it guards their count of uploads.
      await lockQuotas(tx, [input.actor.id, ...request.owners.map((o) => o.ownerId)], request.groupId);
      const open = await input.listOpenUploads();
      const mine = open.filter((u) => u.ownerId === input.actor.id);
      if (mine.length >= MAX_OPEN_UPLOADS)
        throw new DomainError(
          "CONFLICT",
          msg("images.tooManyUploads", { open: mine.length, max: MAX_OPEN_UPLOADS }),
        );
      const owners = new Map(
        request.owners.map((o) => [o.ownerId, pendingOf(open.filter((u) => u.ownerId === o.ownerId))]),
      );
      const group =
        request.groupId === null
          ? undefined
          : pendingOf(open.filter((u) => u.image.groupId === request.groupId));
      await reserveQuota(tx, { ...request, pending: { owners, group } });
      await input.record();
    },
    { isolationLevel: "read committed" },
  );
}
