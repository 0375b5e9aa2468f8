import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { assertQemuSafePath } from "./vm-paths";

const execFileAsync = promisify(execFile);

export interface ImageInfo {
  format: string;
  virtualSizeBytes: number;
  backingFile?: string;
}

export class DiskImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DiskImageError";
  }
}

async function runQemuImg(qemuImg: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(qemuImg, args, { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT")
      throw new DiskImageError(`${qemuImg} is not installed (apt-get install -y qemu-utils)`);
    const detail = (e.stderr ?? "").trim() || e.message;
    throw new DiskImageError(`qemu-img ${args[0]} failed: ${detail}`);
  }
}

/** `qemu-img info` of an image; -U because running VMs may hold the base image open. */
export async function readImageInfo(
  path: string,
  opts: { format?: string; qemuImg?: string } = {},
): Promise<ImageInfo> {
  const args = ["info", "--output=json", "-U"];
  if (opts.format) args.push("-f", opts.format);
  args.push(path);
  const info = JSON.parse(await runQemuImg(opts.qemuImg ?? "qemu-img", args)) as {
    format: string;
    "virtual-size": number;
    "backing-filename"?: string;
  };
  return {
    format: info.format,
    virtualSizeBytes: info["virtual-size"],
    backingFile: info["backing-filename"],
  };
}

export interface CreateOverlayOptions {
  basePath: string;
  baseFormat: "qcow2" | "raw";
  overlayPath: string;
  /** Wanted virtual size; raised to the base image's when smaller (a guest disk never shrinks). */
  sizeBytes: number;
  qemuImg?: string;
}

/**
 * A copy-on-write qcow2 over the base image — milliseconds, never a full copy. The base stays
 * read-only; every write of the VM lands in the overlay.
 */
export async function createOverlay(opts: CreateOverlayOptions): Promise<{ virtualSizeBytes: number }> {
  assertQemuSafePath(opts.basePath, "base image path");
  assertQemuSafePath(opts.overlayPath, "disk path");
  const qemuImg = opts.qemuImg ?? "qemu-img";
  const base = await readImageInfo(opts.basePath, { format: opts.baseFormat, qemuImg });
  // A base that points at another file could make the VM read arbitrary host files.
  if (base.backingFile)
    throw new DiskImageError(
      `base image ${opts.basePath} has a backing file (${base.backingFile}); flatten it first`,
    );
  const virtualSizeBytes = Math.max(opts.sizeBytes, base.virtualSizeBytes);
  await runQemuImg(qemuImg, [
    "create",
    "-q",
    "-f",
    "qcow2",
    "-b",
    opts.basePath,
    "-F",
    opts.baseFormat,
    opts.overlayPath,
    String(virtualSizeBytes),
  ]);
  return { virtualSizeBytes };
}
