import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { images, type ImageRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { DomainError } from "../errors";
import { inspectImage, refusalOf } from "./inspect-image";

export interface ImportImageInput {
  /** A file in `${storeDir}/.incoming/` (same filesystem as the store, so the final move is a rename). */
  incomingPath: string;
  name: string;
  format: "qcow2" | "raw";
  visibility: "public" | "group" | "private";
  ownerId: number | null;
  groupId?: number | null;
  osType?: string;
}

export const incomingDir = (storeDir: string) => join(storeDir, ".incoming");
export const storedImagePath = (storeDir: string, sha256: string) => join(storeDir, sha256);

async function sha256Of(path: string): Promise<string> {
  const h = createHash("sha256");
  await pipeline(createReadStream(path), h);
  return h.digest("hex");
}

/**
 * Checks an uploaded file and keeps it content-addressed. Whatever fails, the incoming file is removed:
 * a refused image leaves nothing in the store.
 */
export async function importImage(deps: { db: Database; storeDir: string }, input: ImportImageInput): Promise<ImageRow> {
  try {
    const info = await inspectImage(input.incomingPath).catch((err: Error) => {
      throw new DomainError("INVALID", err.message);
    });
    const refusal = refusalOf(input.format, info);
    if (refusal) throw new DomainError("INVALID", refusal);
    const [sha256, st] = await Promise.all([sha256Of(input.incomingPath), stat(input.incomingPath)]);
    await mkdir(deps.storeDir, { recursive: true });
    await rename(input.incomingPath, storedImagePath(deps.storeDir, sha256));
    const id = randomUUID();
    await deps.db.insert(images).values({
      id, name: input.name, sha256, format: input.format, sizeBytes: st.size, virtualSizeBytes: info.virtualSizeBytes,
      visibility: input.visibility, ownerId: input.ownerId, groupId: input.groupId ?? null, osType: input.osType ?? "linux",
    });
    return (await deps.db.query.images.findFirst({ where: (t, { eq }) => eq(t.id, id) }))!;
  } finally {
    await rm(input.incomingPath, { force: true });
  }
}
