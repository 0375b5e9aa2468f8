// Resize of a stopped VM: the disk grows first (qemu-img resize of the overlay, the step that can fail
// on a full or broken disk), then spec.json gets the new size in one rename, so the next start's command
// line has the new vCPUs and RAM. A failed grow leaves everything as it was. Only if the rename itself
// failed after the disk grew would the disk stay larger than the size the portal puts back (a grown
// qcow2 cannot be shrunk safely under a guest's filesystem); the VM still starts with its old vCPUs and
// RAM. Growing only, for the same reason.
import { existsSync } from "node:fs";
import type { ProgressReport, VmSize } from "../hypervisor-driver";
import { readImageInfo } from "./disk-image";
import { runQemuImg, type VmStorageAccess } from "./qemu-snapshots";
import { InvalidVmConfigError } from "./qemu-errors";
import { writeVmRecord } from "./vm-record";

const GiB = 1024 ** 3;

export async function resizeStoppedVm(
  a: VmStorageAccess,
  size: VmSize,
  onProgress?: (p: ProgressReport) => void,
): Promise<void> {
  if (a.running) throw new InvalidVmConfigError("the VM is running: stop it before resizing");
  for (const [key, value] of Object.entries(size))
    if (!Number.isInteger(value) || value < 1)
      throw new InvalidVmConfigError(`${key} must be a positive whole number, got ${value}`);
  const wanted = size.diskGiB * GiB;
  // A stopped throw-away VM has no disk: its next start makes one of the spec's size.
  const disk =
    a.record.spec.throwaway && !existsSync(a.paths.disk)
      ? { virtualSizeBytes: 0 }
      : await readImageInfo(a.paths.disk, { format: "qcow2", qemuImg: a.qemuImg });
  if (wanted > disk.virtualSizeBytes && disk.virtualSizeBytes > 0) {
    onProgress?.({ percent: 30, message: "growing the disk" });
    await runQemuImg(a.qemuImg, ["resize", "-q", "-f", "qcow2", a.paths.disk, String(wanted)], 120_000);
  }
  onProgress?.({ percent: 80, message: "writing the new size" });
  const spec = a.record.spec;
  await writeVmRecord(a.paths.specFile, {
    ...a.record,
    spec: {
      ...spec,
      vcpus: size.vcpus,
      memoryMiB: size.memoryMiB,
      // The disk's size as it now is: a base image larger than the flavor kept it larger.
      diskGiB: Math.max(size.diskGiB, Math.ceil(disk.virtualSizeBytes / GiB)),
    },
  });
  onProgress?.({ percent: 100, message: "resized" });
}
