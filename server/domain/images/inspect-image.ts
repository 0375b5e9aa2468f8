// Checks an untrusted upload: our own header rules first (detect-format.ts), then qemu-img with the
// detected format named explicitly (-f: no probing), -U (no locking) and resource limits, never letting
// it follow a backing file or an extent. Every refusal says why.
import { execFile } from "node:child_process";
import { open, stat } from "node:fs/promises";
import type { ImageSourceFormat } from "@/db/schema/compute";
import {
  detectFormat,
  DETECT_BYTES,
  parseVmdkDescriptor,
  qcow2Refusal,
  readQcow2Header,
  vdiRefusal,
  vmdkDescriptorLocation,
  vmdkRefusal,
  VMDK_ALLOWED_CREATE_TYPES,
  type DetectedFormat,
} from "./detect-format";

/** A reason to refuse an image, written for the person who uploaded it. */
export class ImageRefusal extends Error {}

export interface QemuImgInfo {
  format: string;
  virtualSizeBytes: number;
  backingFile?: string;
  dataFile?: string;
  vmdkCreateType?: string;
  vmdkExtents?: number;
}

export interface Inspection {
  detected: DetectedFormat;
  sizeBytes: number;
  /** Absent for an OVA (its disk is inspected after extraction). */
  info?: QemuImgInfo;
}

// qemu-img on hostile input: 1 GiB of address space, 30 s of CPU, and a wall-clock timeout.
const LIMITED = ["prlimit", "--as=1073741824", "--cpu=30", "--"];

function run(cmd: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd[0]!,
      cmd.slice(1),
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: "SIGKILL" },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === "number"
            ? (err as { code: number }).code
            : -1
          : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

export async function readHead(path: string, bytes = DETECT_BYTES, position = 0): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** `qemu-img info` with the format given (the caller detected it), as JSON. */
export async function qemuImgInfo(
  path: string,
  format: "qcow2" | "raw" | "vmdk" | "vdi",
): Promise<QemuImgInfo> {
  const r = await run([...LIMITED, "qemu-img", "info", "-f", format, "-U", "--output=json", path], 30_000);
  if (r.code !== 0)
    throw new ImageRefusal(
      `qemu-img cannot read this file as ${format}: ${r.stderr.trim().split("\n")[0] || "no reason given"}`,
    );
  const info = JSON.parse(r.stdout) as {
    format: string;
    "virtual-size": number;
    "backing-filename"?: string;
    "full-backing-filename"?: string;
    "format-specific"?: {
      type?: string;
      data?: { "data-file"?: string; "create-type"?: string; extents?: unknown[] };
    };
  };
  const data = info["format-specific"]?.data;
  return {
    format: info.format,
    virtualSizeBytes: info["virtual-size"],
    backingFile: info["backing-filename"] ?? info["full-backing-filename"],
    dataFile: data?.["data-file"],
    vmdkCreateType: data?.["create-type"],
    vmdkExtents: Array.isArray(data?.extents) ? data.extents.length : undefined,
  };
}

/** `qemu-img check`: a cut-short or damaged image fails here even when its header reads fine. */
export async function qemuImgCheck(path: string, format: "qcow2" | "vmdk" | "vdi"): Promise<void> {
  const r = await run([...LIMITED, "qemu-img", "check", "-f", format, "-U", "--output=json", path], 120_000);
  // 0 = clean, 3 = leaked clusters only (harmless wasted space); anything else is damage or failure.
  if (r.code === 0 || r.code === 3) return;
  let detail = r.stderr.trim().split("\n")[0] ?? "";
  try {
    const j = JSON.parse(r.stdout) as { corruptions?: number; "check-errors"?: number };
    if (j.corruptions) detail = `${j.corruptions} corruptions`;
    else if (j["check-errors"]) detail = `${j["check-errors"]} check errors`;
  } catch {
    /* not JSON: keep stderr */
  }
  throw new ImageRefusal(
    `The image is damaged or cut short (qemu-img check: ${detail || `exit ${r.code}`}).`,
  );
}

/** What qemu-img reports must agree with our reading of the header. */
export function infoRefusal(expected: string, i: QemuImgInfo): string | null {
  if (i.format !== expected) return `The file is ${i.format}, not ${expected}.`;
  if (i.backingFile)
    return "A qcow2 image with a backing file is refused (it could read other files on the host).";
  if (i.dataFile)
    return "A qcow2 image with an external data file is refused (it could read other files on the host).";
  if (
    i.vmdkCreateType !== undefined &&
    !(VMDK_ALLOWED_CREATE_TYPES as readonly string[]).includes(i.vmdkCreateType)
  ) {
    return `A VMDK of type ${i.vmdkCreateType} is refused: only monolithicSparse and streamOptimized are accepted.`;
  }
  if (i.vmdkExtents !== undefined && i.vmdkExtents > 1)
    return "A VMDK whose descriptor names other files (extents) is refused.";
  if (!(i.virtualSizeBytes > 0)) return "The image has no size.";
  return null;
}

const formatGiB = (bytes: number) => Math.round((bytes / 1024 ** 3) * 10) / 10;

const refuse = (reason: string | null) => {
  if (reason) throw new ImageRefusal(reason);
};

/**
 * Inspects a received file declared as `declared`. Throws ImageRefusal with the reason, or returns what
 * the file is. Nothing here writes anything.
 */
export async function inspectUpload(
  path: string,
  declared: ImageSourceFormat,
  maxBytes: number,
  maxVirtualBytes: number,
): Promise<Inspection> {
  const sizeBytes = (await stat(path)).size;
  if (sizeBytes > maxBytes)
    throw new ImageRefusal(`The file is larger than the size cap (${maxBytes} bytes).`);
  const head = await readHead(path);
  const detected = detectFormat(head, sizeBytes);
  if (!detected)
    throw new ImageRefusal(
      "The file is no disk image (it is text, empty, or not made of whole 512-byte sectors).",
    );
  if (detected !== declared) throw new ImageRefusal(`The file is ${detected}, not ${declared} as declared.`);

  switch (detected) {
    case "ova":
      return { detected, sizeBytes };
    case "qcow2": {
      const h = readQcow2Header(head);
      if (!h) throw new ImageRefusal("The qcow2 header is cut short.");
      refuse(qcow2Refusal(h));
      break;
    }
    case "vmdk": {
      const standalone = head.subarray(0, 4).toString("latin1") !== "KDMV";
      const where = standalone ? null : vmdkDescriptorLocation(head);
      const descriptor = where
        ? parseVmdkDescriptor((await readHead(path, where.length, where.offset)).toString("latin1"))
        : null;
      refuse(vmdkRefusal(descriptor, standalone));
      break;
    }
    case "vdi":
      refuse(vdiRefusal(head));
      break;
    case "iso":
    case "raw":
      break;
  }
  const qemuFormat = detected === "iso" ? "raw" : detected;
  const info = await qemuImgInfo(path, qemuFormat);
  refuse(infoRefusal(qemuFormat, info));
  if (info.virtualSizeBytes > maxVirtualBytes)
    throw new ImageRefusal(
      `The image announces a disk of ${formatGiB(info.virtualSizeBytes)} GiB; at most ${formatGiB(maxVirtualBytes)} GiB is accepted (IMAGE_MAX_VIRTUAL_GIB).`,
    );
  if (qemuFormat !== "raw") await qemuImgCheck(path, qemuFormat);
  return { detected, sizeBytes, info };
}
