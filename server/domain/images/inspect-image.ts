import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ImageInspection {
  format: string;
  virtualSizeBytes: number;
  backingFile?: string;
  dataFile?: string;
}

/** `qemu-img info` of an untrusted file, probing its real format (never trusting the declared one). */
export async function inspectImage(path: string, qemuImg = "qemu-img"): Promise<ImageInspection> {
  let stdout: string;
  try {
    ({ stdout } = await run(qemuImg, ["info", "--output=json", path], { timeout: 30_000, maxBuffer: 4 * 1024 * 1024 }));
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? "").trim();
    throw new Error(stderr ? `qemu-img cannot read this file: ${stderr.split("\n")[0]}` : "qemu-img cannot read this file.");
  }
  const info = JSON.parse(stdout) as {
    format: string; "virtual-size": number; "backing-filename"?: string; "full-backing-filename"?: string;
    "format-specific"?: { type?: string; data?: { "data-file"?: string } };
  };
  return {
    format: info.format,
    virtualSizeBytes: info["virtual-size"],
    backingFile: info["backing-filename"] ?? info["full-backing-filename"],
    dataFile: info["format-specific"]?.data?.["data-file"],
  };
}

/** The reasons to refuse an image (null when it is safe to keep), after OSSA-2024-001/002. */
export function refusalOf(declared: "qcow2" | "raw", i: ImageInspection): string | null {
  if (i.format !== declared) return `The file is ${i.format}, not ${declared} as declared.`;
  if (i.backingFile) return "A qcow2 image with a backing file is refused (it could read other files on the host).";
  if (i.dataFile) return "A qcow2 image with an external data file is refused (it could read other files on the host).";
  if (!(i.virtualSizeBytes > 0)) return "The image has no size.";
  return null;
}
