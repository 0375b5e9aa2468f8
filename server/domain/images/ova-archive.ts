// An OVA is a tar holding an .ovf descriptor and its disk(s). We read the tar headers ourselves and copy
// the disk's bytes to a file of our own naming: no entry name ever becomes a path (no traversal), links
// and special files are refused, and the copy is capped.
import { createReadStream, createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline } from "node:stream/promises";

export interface TarEntry {
  name: string;
  type: string;
  size: number;
  /** Where the entry's data starts in the archive. */
  dataOffset: number;
}

const BLOCK = 512;
const DISK_NAME = /\.(vmdk|qcow2|img|raw|vdi)$/i;

function readString(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString("utf8");
}

/** Octal size, or GNU's base-256 for big files. */
function readSize(block: Buffer): number {
  const field = block.subarray(124, 136);
  if (field[0]! & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = readString(block, 124, 12).trim();
  if (!/^[0-7]*$/.test(text)) throw new Error("The OVA's tar header is damaged.");
  return text ? parseInt(text, 8) : 0;
}

/** Parses one 512-byte header block (pure); null for the end-of-archive zero block. */
export function parseTarHeader(block: Buffer, offset: number): TarEntry | null {
  if (block.every((b) => b === 0)) return null;
  const name = readString(block, 0, 100);
  const ustar = block.subarray(257, 262).toString("latin1") === "ustar";
  const prefix = ustar ? readString(block, 345, 155) : "";
  const type = String.fromCharCode(block[156] || 0x30);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    type,
    size: readSize(block),
    dataOffset: offset + BLOCK,
  };
}

/** Why an entry makes the whole OVA unacceptable, or null. */
export function tarEntryRefusal(e: TarEntry): string | null {
  if (e.name.startsWith("/") || e.name.split("/").includes(".."))
    return `The OVA holds a file with an unsafe path (${e.name.slice(0, 80)}).`;
  if (e.type !== "0" && e.type !== "5")
    return `The OVA holds a link or special file (${e.name.slice(0, 80)}); only plain files are accepted.`;
  return null;
}

export async function listTarEntries(path: string, fileSize: number): Promise<TarEntry[]> {
  const fh = await open(path, "r");
  try {
    const entries: TarEntry[] = [];
    const block = Buffer.alloc(BLOCK);
    let offset = 0;
    while (offset + BLOCK <= fileSize) {
      const { bytesRead } = await fh.read(block, 0, BLOCK, offset);
      if (bytesRead < BLOCK) break;
      const entry = parseTarHeader(block, offset);
      if (!entry) break;
      if (entry.dataOffset + entry.size > fileSize)
        throw new Error("The OVA is cut short (an entry runs past the end of the file).");
      entries.push(entry);
      if (entries.length > 1000) throw new Error("The OVA holds too many files.");
      offset = entry.dataOffset + Math.ceil(entry.size / BLOCK) * BLOCK;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Picks the OVA's one disk, with the reason when the archive is not acceptable (pure). */
export function chooseOvaDisk(entries: TarEntry[], maxBytes: number): TarEntry | string {
  for (const e of entries) {
    const refusal = tarEntryRefusal(e);
    if (refusal) return refusal;
  }
  const files = entries.filter((e) => e.type === "0");
  if (!files.some((e) => /\.ovf$/i.test(e.name)))
    return "The OVA holds no .ovf descriptor: it is not an OVA.";
  const disks = files.filter((e) => DISK_NAME.test(e.name));
  if (disks.length === 0) return "The OVA holds no disk image.";
  if (disks.length > 1) return `The OVA holds ${disks.length} disks; only single-disk OVAs are accepted.`;
  if (disks[0]!.size > maxBytes) return "The OVA's disk is larger than the configured size cap.";
  return disks[0]!;
}

/** Copies the entry's bytes (exactly its size, never more) to `dest`. */
export async function extractTarEntry(archive: string, entry: TarEntry, dest: string): Promise<void> {
  if (entry.size === 0) throw new Error("The OVA's disk is empty.");
  await pipeline(
    createReadStream(archive, {
      start: entry.dataOffset,
      end: entry.dataOffset + entry.size - 1,
      highWaterMark: 1024 * 1024,
    }),
    createWriteStream(dest, { flags: "wx", mode: 0o600 }),
  );
}
