// What a file really is, from its own bytes (never from its name or what the uploader declared), and
// the header rules that refuse the dangerous variants before qemu-img is ever pointed at the file.
// After OSSA-2024-001/002: a qcow2 or VMDK can make QEMU open other files on the host (backing files,
// external data files, extents), so those are refused by reading the headers ourselves.

export type DetectedFormat = "qcow2" | "vmdk" | "vdi" | "iso" | "ova" | "raw";

/** How many bytes of the file detection needs (ISO's volume descriptor sits at 32 KiB, tar's at 257). */
export const DETECT_BYTES = 64 * 1024;

const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]); // "QFI\xfb"
const VMDK_SPARSE_MAGIC = Buffer.from("KDMV");
const VMDK_DESCRIPTOR = "# Disk DescriptorFile";
const VDI_MAGIC = 0xbeda107f;

/** A file that is text (no NUL byte, nearly all printable) is no disk image, whatever it is called. */
export function looksLikeText(head: Buffer): boolean {
  const sample = head.subarray(0, 4096);
  if (sample.length === 0) return false;
  let printable = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128) printable++;
  }
  return printable / sample.length > 0.95;
}

/** The format a file's first bytes show; `null` when it is no disk image at all. */
export function detectFormat(head: Buffer, fileSize: number): DetectedFormat | null {
  if (head.length >= 4 && head.subarray(0, 4).equals(QCOW2_MAGIC)) return "qcow2";
  if (head.length >= 4 && head.subarray(0, 4).equals(VMDK_SPARSE_MAGIC)) return "vmdk";
  if (head.subarray(0, VMDK_DESCRIPTOR.length).toString("latin1") === VMDK_DESCRIPTOR) return "vmdk";
  if (head.length >= 0x44 && head.readUInt32LE(0x40) === VDI_MAGIC) return "vdi";
  if (head.length >= 0x8006 && head.subarray(0x8001, 0x8006).toString("latin1") === "CD001") return "iso";
  if (head.length >= 262 && head.subarray(257, 262).toString("latin1") === "ustar") return "ova";
  if (looksLikeText(head)) return null;
  // Raw has no header: accept whole sectors only (a disk is made of them; a random file rarely is).
  if (fileSize === 0 || fileSize % 512 !== 0) return null;
  return "raw";
}

// ---- qcow2 -----------------------------------------------------------------------------------------

/** Incompatible feature bits QEMU 7 knows: dirty, corrupt, external data file, compression type, extended L2. */
const QCOW2_INCOMPAT_DIRTY = 1n << 0n;
const QCOW2_INCOMPAT_CORRUPT = 1n << 1n;
const QCOW2_INCOMPAT_DATA_FILE = 1n << 2n;
const QCOW2_INCOMPAT_KNOWN =
  QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT | QCOW2_INCOMPAT_DATA_FILE | (1n << 3n) | (1n << 4n);

export interface Qcow2Header {
  version: number;
  backingFileOffset: bigint;
  incompatibleFeatures: bigint;
  /** 0 none, 1 AES (legacy), 2 LUKS. */
  cryptMethod: number;
}

export function readQcow2Header(head: Buffer): Qcow2Header | null {
  if (head.length < 104 || !head.subarray(0, 4).equals(QCOW2_MAGIC)) return null;
  const version = head.readUInt32BE(4);
  return {
    version,
    backingFileOffset: head.readBigUInt64BE(8),
    incompatibleFeatures: version >= 3 ? head.readBigUInt64BE(72) : 0n,
    cryptMethod: head.readUInt32BE(32),
  };
}

/** Why a qcow2 header is refused, or null. */
export function qcow2Refusal(h: Qcow2Header): string | null {
  if (h.version !== 2 && h.version !== 3)
    return `A qcow2 image of version ${h.version} is refused (only versions 2 and 3 are known).`;
  if (h.backingFileOffset !== 0n)
    return "A qcow2 image with a backing file is refused (it could read other files on the host).";
  if (h.incompatibleFeatures & QCOW2_INCOMPAT_DATA_FILE)
    return "A qcow2 image with an external data file is refused (it could read other files on the host).";
  if (h.incompatibleFeatures & QCOW2_INCOMPAT_CORRUPT) return "The qcow2 image is marked corrupt.";
  // Converting or booting one needs its key, which the portal never has; QEMU's legacy AES is broken too.
  if (h.cryptMethod !== 0) return "An encrypted qcow2 image is refused (it cannot be used without its key).";
  const unknown = h.incompatibleFeatures & ~QCOW2_INCOMPAT_KNOWN;
  if (unknown)
    return `A qcow2 image with unknown incompatible features (0x${unknown.toString(16)}) is refused.`;
  return null;
}

// ---- VMDK ------------------------------------------------------------------------------------------

export const VMDK_ALLOWED_CREATE_TYPES = ["monolithicSparse", "streamOptimized"] as const;

export interface VmdkDescriptor {
  createType: string | null;
  extents: { access: string; type: string; file: string }[];
}

/** Parses a VMDK text descriptor (embedded in a sparse file, or a file of its own). */
export function parseVmdkDescriptor(text: string): VmdkDescriptor {
  const createType = /^\s*createType\s*=\s*"([^"]*)"/m.exec(text)?.[1] ?? null;
  const extents: VmdkDescriptor["extents"] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(RW|RDONLY|NOACCESS)\s+\d+\s+(\w+)(?:\s+"([^"]*)")?/.exec(line);
    if (m) extents.push({ access: m[1]!, type: m[2]!, file: m[3] ?? "" });
  }
  return { createType, extents };
}

/** Where a sparse VMDK keeps its embedded descriptor (bytes), or null when it has none. */
export function vmdkDescriptorLocation(head: Buffer): { offset: number; length: number } | null {
  if (head.length < 44 || !head.subarray(0, 4).equals(VMDK_SPARSE_MAGIC)) return null;
  const offset = Number(head.readBigUInt64LE(28)) * 512;
  const length = Number(head.readBigUInt64LE(36)) * 512;
  if (!offset || !length || length > 1024 * 1024) return null;
  return { offset, length };
}

/** Why a VMDK is refused, or null. `standalone` = the file is a text descriptor (it can only point elsewhere). */
export function vmdkRefusal(d: VmdkDescriptor | null, standalone: boolean): string | null {
  if (standalone)
    return "A VMDK descriptor that names other files (extents) is refused: upload a monolithicSparse or streamOptimized VMDK.";
  if (!d) return "The VMDK has no readable descriptor.";
  if (!d.createType || !(VMDK_ALLOWED_CREATE_TYPES as readonly string[]).includes(d.createType)) {
    return `A VMDK of type ${d.createType ?? "unknown"} is refused: only monolithicSparse and streamOptimized are accepted.`;
  }
  if (d.extents.length !== 1 || d.extents[0]!.type !== "SPARSE") {
    return "A VMDK whose descriptor names other files (extents) is refused.";
  }
  return null;
}

// ---- VDI -------------------------------------------------------------------------------------------

/** VDI image types 1 (dynamic) and 2 (static) stand alone; 3 (undo) and 4 (differencing) need a parent. */
export function vdiRefusal(head: Buffer): string | null {
  if (head.length < 0x50) return "The VDI header is cut short.";
  const type = head.readUInt32LE(0x4c);
  return type === 1 || type === 2
    ? null
    : `A VDI image of type ${type} (differencing or undo) is refused: it needs another file.`;
}
