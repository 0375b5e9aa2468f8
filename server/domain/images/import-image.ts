// Turns a received file into a stored image: inspect (refusing with a reason), extract an OVA's disk,
// convert to qcow2 (an ISO is kept as is), confirm the result with qemu-img, then keep it under its
// sha256. Whatever fails, nothing is left behind: not the incoming file, not a partial conversion.
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { and, desc, eq, isNull, or } from "drizzle-orm";
import { images, namedLocks, type ImageRow, type ImageSourceFormat } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { isDuplicateKey } from "../db-errors";
import { DomainError, notFound } from "../errors";
import { convertToQcow2 } from "./convert-image";
import { detectFormat } from "./detect-format";
import { ImageRefusal, inspectUpload, qemuImgCheck, qemuImgInfo, readHead } from "./inspect-image";
import { chooseOvaDisk, extractTarEntry, listTarEntries } from "./ova-archive";
import { msg, type Message } from "@/common/message";
import { reserveQuota, type QuotaRequest } from "../quotas/reserve-quota";

export interface ImportImageInput {
  /** A file in `${storeDir}/.incoming/` (same filesystem as the store, so the final move is a rename). */
  incomingPath: string;
  name: string;
  /** What the uploader says it is; a different detected format is refused. */
  format: ImageSourceFormat;
  visibility: "public" | "group" | "private";
  ownerId: number | null;
  groupId?: number | null;
  osType?: string;
  minDiskGiB?: number;
  minRamMiB?: number;
  /** Adds a version to this image's family (the name is the family's). */
  newVersionOf?: string | null;
  /** The new image's id when the caller had to name it beforehand (a capture claims its task with it). */
  id?: string;
}

export interface ImportDeps {
  db: Database;
  storeDir: string;
  maxBytes?: number;
  /** Largest virtual disk an image may announce (IMAGE_MAX_VIRTUAL_GIB). */
  maxVirtualBytes?: number;
  convertTimeoutSeconds?: number;
  /** Progress 0–100 with what is being done. */
  onProgress?: (percent: number, message: Message) => void;
}

export const incomingDir = (storeDir: string) => join(storeDir, ".incoming");
export const storedImagePath = (storeDir: string, sha256: string) => join(storeDir, sha256);

export async function sha256Of(path: string): Promise<string> {
  const h = createHash("sha256");
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), h);
  return h.digest("hex");
}

/** When the caller names no cap (IMAGE_MAX_BYTES normally does). */
export const DEFAULT_MAX_BYTES = 64 * 1024 ** 3;
/** The largest disk a flavor may have (16 TiB). */
export const DEFAULT_MAX_VIRTUAL_BYTES = 16384 * 1024 ** 3;

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** An image's GiB for quotas, rounded up to a hundredth: a limit of 1 GiB is not passed by rounding down. */
export const imageGiBOf = (sizeBytes: number) => Math.ceil((sizeBytes / 1024 ** 3) * 100) / 100;

/**
 * What an image adds to its owner's and group's quota: one image and its stored GiB. Public images are
 * the catalogue an administrator publishes and count for nobody.
 */
export function imageQuotaRequest(
  image: Pick<ImportImageInput, "visibility" | "ownerId" | "groupId">,
  sizeBytes: number,
): QuotaRequest {
  if (image.visibility === "public" || image.ownerId === null)
    return { owners: [], groupId: null, requestedBy: image.ownerId ?? 0 };
  return {
    owners: [{ ownerId: image.ownerId, add: { images: 1, imageGiB: imageGiBOf(sizeBytes) } }],
    groupId: image.groupId ?? null,
    requestedBy: image.ownerId,
  };
}

/** The family and next version number for a new image (a new family unless `newVersionOf`). */
async function placeInFamily(
  db: Pick<Database, "select">,
  id: string,
  input: ImportImageInput,
): Promise<{ familyId: string; version: number; name: string }> {
  if (!input.newVersionOf) return { familyId: id, version: 1, name: input.name };
  const [base] = await db
    .select()
    .from(images)
    .where(and(eq(images.id, input.newVersionOf), isNull(images.deletedAt)));
  if (!base) throw notFound("imageBase");
  const familyId = base.familyId ?? base.id;
  const [latest] = await db
    .select({ version: images.version, name: images.name })
    .from(images)
    .where(or(eq(images.familyId, familyId), eq(images.id, familyId)))
    .orderBy(desc(images.version))
    .limit(1);
  return { familyId, version: (latest?.version ?? base.version) + 1, name: latest?.name ?? base.name };
}

/**
 * Runs `work` holding the lock of one stored file (by sha256). "Put the file in place + insert its row"
 * and "see no live row names it + remove it" must not interleave, or an import that renamed its file
 * onto the path but has not inserted its row yet loses the file to a delete of an older image with the
 * same bytes. A named_locks row locked FOR UPDATE rather than GET_LOCK: a row lock ends exactly when the
 * transaction commits, i.e. when the new image row becomes visible; GET_LOCK would have to be released
 * after the commit on the same pooled connection, which Drizzle's transaction does not offer.
 * READ COMMITTED so the reads after the lock (and the version retry below) see what was committed while
 * this waited.
 */
async function withStoredFileLock<T>(
  db: Database,
  sha256: string,
  work: (tx: Tx) => Promise<T>,
  /** Runs in the transaction before the file's lock: the quota locks come first on every path. */
  first?: (tx: Tx) => Promise<void>,
): Promise<T> {
  // 64 characters fit the key; two files sharing 240 bits of sha256 would merely wait for each other.
  const name = `img:${sha256.slice(0, 60)}`;
  // A row must exist to be locked. Made once per file and never deleted (a waiter on a deleted row would
  // go ahead unlocked); outside the transaction, so two first-comers do not deadlock on creating it.
  await db.insert(namedLocks).ignore().values({ name });
  return db.transaction(
    async (tx) => {
      await first?.(tx);
      await tx.select().from(namedLocks).where(eq(namedLocks.name, name)).for("update");
      return work(tx);
    },
    { isolationLevel: "read committed" },
  );
}

/** Only with the file's lock held (withStoredFileLock). */
async function removeIfUnusedLocked(tx: Tx, storeDir: string, sha256: string): Promise<void> {
  const users = await tx
    .select({ id: images.id })
    .from(images)
    .where(and(eq(images.sha256, sha256), isNull(images.deletedAt)))
    .limit(1);
  if (!users.length) await rm(storedImagePath(storeDir, sha256), { force: true });
}

/** Removes a stored file no live image row names any more. */
export async function removeStoredFileIfUnused(
  deps: { db: Database; storeDir: string },
  sha256: string,
): Promise<void> {
  await withStoredFileLock(deps.db, sha256, (tx) => removeIfUnusedLocked(tx, deps.storeDir, sha256));
}

/**
 * Checks an uploaded file, converts it and keeps it content-addressed. Throws DomainError INVALID with
 * the reason for a refused image. The incoming file and every intermediate file are removed either way.
 */
export async function importImage(deps: ImportDeps, input: ImportImageInput): Promise<ImageRow> {
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxVirtualBytes = deps.maxVirtualBytes ?? DEFAULT_MAX_VIRTUAL_BYTES;
  const progress = deps.onProgress ?? (() => undefined);
  const work = `${input.incomingPath}.work`;
  try {
    progress(2, msg("tasks.checkingImage"));
    const inspected = await inspectUpload(input.incomingPath, input.format, maxBytes, maxVirtualBytes);
    const sourceSha256 = await sha256Of(input.incomingPath);
    await mkdir(work, { recursive: true, mode: 0o700 });

    // An OVA: its one disk, copied out by byte range, then inspected like any upload.
    let disk = input.incomingPath;
    let diskFormat = inspected.detected;
    let info = inspected.info;
    if (inspected.detected === "ova") {
      const chosen = chooseOvaDisk(
        await listTarEntries(input.incomingPath, inspected.sizeBytes).catch((e: Error) => {
          throw new ImageRefusal(e.message);
        }),
        maxBytes,
      );
      if (typeof chosen === "string") throw new ImageRefusal(chosen);
      disk = join(work, "ova-disk");
      await extractTarEntry(input.incomingPath, chosen, disk);
      // The inner disk's own bytes say what it is; it must then pass every rule an upload does.
      const innerFormat = detectFormat(await readHead(disk), chosen.size);
      if (!innerFormat || innerFormat === "ova" || innerFormat === "iso")
        throw new ImageRefusal("The OVA's disk is not a disk image.");
      const inner = await inspectUpload(disk, innerFormat, maxBytes, maxVirtualBytes);
      diskFormat = inner.detected;
      info = inner.info;
    }

    let stored = disk;
    let format: "qcow2" | "raw" = "raw";
    if (diskFormat !== "iso") {
      progress(10, msg("tasks.converting"));
      stored = join(work, "converted.qcow2");
      await convertToQcow2(disk, stored, {
        from: diskFormat as "qcow2" | "raw" | "vmdk" | "vdi",
        maxBytes,
        timeoutSeconds: deps.convertTimeoutSeconds ?? 3600,
        onProgress: (f) =>
          progress(10 + Math.round(f * 80), msg("tasks.convertingPercent", { percent: Math.round(f * 100) })),
      });
      format = "qcow2";
      // What we keep must itself pass: a plain qcow2, no backing file, no damage.
      info = await qemuImgInfo(stored, "qcow2");
      if (info.backingFile || info.dataFile)
        throw new ImageRefusal("The converted image refers to another file.");
      await qemuImgCheck(stored, "qcow2");
    }
    progress(92, msg("tasks.checksum"));
    const sha256 = stored === input.incomingPath ? sourceSha256 : await sha256Of(stored);
    const sizeBytes = (await stat(stored)).size;
    await mkdir(deps.storeDir, { recursive: true });

    const id = input.id ?? randomUUID();
    let renamed = false;
    try {
      await withStoredFileLock(
        deps.db,
        sha256,
        async (tx) => {
          await rename(stored, storedImagePath(deps.storeDir, sha256));
          renamed = true;
          // Two new versions of one image stored at once would take the same number: the unique index
          // refuses the second, which then takes the next one.
          for (let attempt = 0; ; attempt++) {
            const family = await placeInFamily(tx, id, input);
            try {
              await tx.insert(images).values({
                id,
                name: family.name,
                sha256,
                format,
                sourceFormat: input.format,
                sourceSha256,
                sizeBytes,
                virtualSizeBytes: info!.virtualSizeBytes,
                visibility: input.visibility,
                ownerId: input.ownerId,
                groupId: input.groupId ?? null,
                osType: input.osType ?? "linux",
                familyId: family.familyId,
                version: family.version,
                minDiskGiB: input.minDiskGiB ?? 0,
                minRamMiB: input.minRamMiB ?? 0,
              });
              break;
            } catch (err) {
              if (!isDuplicateKey(err)) throw err;
              if (attempt >= 4) throw new DomainError("CONFLICT", msg("images.versionRace"));
            }
          }
        },
        (tx) => reserveQuota(tx, imageQuotaRequest(input, sizeBytes)),
      );
    } catch (err) {
      // After the transaction, whatever became of it (a failed COMMIT, or a deadlock that rolled back and
      // so released the lock): the file goes only if, under the lock taken afresh, no live row names it.
      if (renamed) await removeStoredFileIfUnused(deps, sha256).catch(() => undefined);
      throw err;
    }
    progress(100, msg("tasks.stored"));
    return (await deps.db.query.images.findFirst({ where: (t, { eq: is }) => is(t.id, id) }))!;
  } catch (err) {
    if (err instanceof ImageRefusal)
      throw new DomainError("INVALID", msg("images.refused", { reason: err.message }));
    throw err;
  } finally {
    await rm(input.incomingPath, { force: true });
    await rm(work, { recursive: true, force: true });
  }
}
