// Where resumable uploads live while they are being received: `${storeDir}/.uploads/<id>` (the bytes so
// far; its size IS the offset, so a crash or a dropped connection never loses track) and `<id>.json`
// (who, how long, what it will become). Same filesystem as the store: finishing is a rename.
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ImportImageInput } from "@/server/domain/images/import-image";

export interface UploadInfo {
  id: string;
  ownerId: number;
  length: number;
  /** The raw Upload-Metadata pairs, echoed on HEAD. */
  metadata: Record<string, string>;
  image: Omit<ImportImageInput, "incomingPath">;
  createdAt: string;
}

export const uploadsDir = (storeDir: string) => join(storeDir, ".uploads");
export const uploadDataPath = (storeDir: string, id: string) => join(uploadsDir(storeDir), id);
const infoPath = (storeDir: string, id: string) => join(uploadsDir(storeDir), `${id}.json`);

export async function readUploadInfo(storeDir: string, id: string): Promise<UploadInfo | null> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  try {
    return JSON.parse(await readFile(infoPath(storeDir, id), "utf8")) as UploadInfo;
  } catch {
    return null;
  }
}

export async function writeUploadInfo(storeDir: string, info: UploadInfo): Promise<void> {
  await writeFile(infoPath(storeDir, info.id), JSON.stringify(info), { mode: 0o600 });
}

/** Bytes received so far. */
export async function uploadOffset(storeDir: string, id: string): Promise<number> {
  try {
    return (await stat(uploadDataPath(storeDir, id))).size;
  } catch {
    return 0;
  }
}

export async function removeUpload(storeDir: string, id: string): Promise<void> {
  await rm(uploadDataPath(storeDir, id), { force: true });
  await rm(infoPath(storeDir, id), { force: true });
}

/** When an upload last moved: its data file's or its record's last write, whichever is later. */
async function lastTouched(storeDir: string, id: string): Promise<number> {
  const mtime = (path: string) =>
    stat(path).then(
      (s) => s.mtimeMs,
      () => 0,
    );
  return Math.max(await mtime(uploadDataPath(storeDir, id)), await mtime(infoPath(storeDir, id)));
}

const recordIds = async (storeDir: string) =>
  (await readdir(uploadsDir(storeDir)).catch(() => [] as string[]))
    .filter((n) => n.endsWith(".json"))
    .map((n) => n.slice(0, -5));

/** Forgets uploads nobody touched for `maxAgeMs` (abandoned in a closed browser). */
export async function sweepStaleUploads(
  storeDir: string,
  maxAgeMs: number,
  now = Date.now(),
): Promise<number> {
  let removed = 0;
  for (const id of await recordIds(storeDir)) {
    if (now - (await lastTouched(storeDir, id)) > maxAgeMs) {
      await removeUpload(storeDir, id);
      removed++;
    }
  }
  return removed;
}

/**
 * The uploads still open: recorded and touched within `maxAgeMs` (older ones are the sweep's). The
 * records on disk, not the in-memory table of running PATCHes: they survive a restart and cover uploads
 * paused between requests, which still hold their room.
 */
export async function listOpenUploads(
  storeDir: string,
  maxAgeMs: number,
  now = Date.now(),
): Promise<UploadInfo[]> {
  const open: UploadInfo[] = [];
  for (const id of await recordIds(storeDir)) {
    const info = await readUploadInfo(storeDir, id);
    if (info && now - (await lastTouched(storeDir, id)) <= maxAgeMs) open.push(info);
  }
  return open;
}
