import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";
import { hardwareSchema } from "../../../protocol/hardware";
import { nicSpecSchema } from "../../../protocol/network";
import type { VmSpec } from "../hypervisor-driver";

/**
 * What the driver persists in `spec.json`: the spec it was given, plus what it decided on this
 * host — the accelerator really used (the spec may ask for kvm where it is not usable) and why.
 */
export interface VmRecord {
  spec: VmSpec;
  accel: "kvm" | "tcg";
  /** Why the used accelerator differs from the requested one, if it does. */
  accelNote?: string;
  machine: "q35" | "pc";
  createdAt: string;
  startedAt?: string;
}

const vmRecordSchema = z.object({
  spec: z.object({
    id: z.string().min(1),
    name: z.string(),
    vcpus: z.number().int().min(1),
    memoryMiB: z.number().int().min(16),
    diskGiB: z.number().min(0),
    baseImagePath: z.string().min(1),
    baseImageFormat: z.enum(["qcow2", "raw"]),
    accel: z.enum(["kvm", "tcg", "none"]),
    nics: z.array(nicSpecSchema).max(8).optional(),
    volumes: z
      .array(z.object({ id: z.string().min(1), path: z.string().min(1), slot: z.number().int().min(0) }))
      .max(16)
      .optional(),
    // Kept as given (defaults applied when the args are built), so a record reads back as written.
    hardware: hardwareSchema.partial().optional(),
    throwaway: z.boolean().optional(),
  }),
  accel: z.enum(["kvm", "tcg"]),
  accelNote: z.string().optional(),
  machine: z.enum(["q35", "pc"]),
  createdAt: z.string(),
  startedAt: z.string().optional(),
});

export class VmRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VmRecordError";
  }
}

/** Reads spec.json; null when it does not exist, VmRecordError when it is unreadable or malformed. */
export async function readVmRecord(path: string): Promise<VmRecord | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new VmRecordError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VmRecordError(`${path} is not valid JSON`);
  }
  const parsed = vmRecordSchema.safeParse(json);
  if (!parsed.success)
    throw new VmRecordError(`${path} is not a VM record: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** Writes through a temp file and rename, so a crash never leaves a half-written spec.json. */
export async function writeVmRecord(path: string, record: VmRecord): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}

/**
 * The base image a record names, read leniently: a record the strict schema refuses (an older agent's,
 * or one being rewritten) still keeps its base image from being evicted from the cache.
 */
export async function readBaseImagePath(path: string): Promise<string | null> {
  try {
    const rec = JSON.parse(await readFile(path, "utf8")) as { spec?: { baseImagePath?: unknown } };
    const base = rec.spec?.baseImagePath;
    return typeof base === "string" && base ? base : null;
  } catch {
    return null; // no record or unreadable: that VM names nothing we can see
  }
}
