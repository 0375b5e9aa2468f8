// Snapshots are internal qcow2 snapshots of the VM's overlay. While the VM runs they are taken and
// removed over QMP (blockdev-snapshot-internal-sync: disk only, crash-consistent, no RAM state, so
// no migration blockers and nothing the size of the guest's RAM on disk); while it is stopped qemu-img
// does the same on the file. Revert needs the VM stopped: QEMU holds the image open while it runs, and
// a running guest would not expect its disk to change under it.
import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { promisify } from "node:util";
import type { VmRecord } from "./vm-record";
import type { VmPaths } from "./vm-paths";
import { QmpCommandError, withQmp, type QmpClient, type QmpConnectOptions } from "./qmp-client";

const execFileAsync = promisify(execFile);

/** What storage operations need to know about one VM, gathered under the driver's VM lock. */
export interface VmStorageAccess {
  paths: VmPaths;
  record: VmRecord;
  running: boolean;
  qemuImg: string;
}

/** How long storage work (snapshots, volumes, capture) waits to connect to a running VM's QMP. */
export const STORAGE_QMP: QmpConnectOptions = { timeoutMs: 10_000 };

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnapshotError";
  }
}

const TAG = /^[A-Za-z0-9-]{1,64}$/;
function assertTag(tag: string): void {
  if (!TAG.test(tag)) throw new SnapshotError(`invalid snapshot name ${JSON.stringify(tag)}`);
}

export async function runQemuImg(qemuImg: string, args: string[], timeoutMs = 600_000): Promise<string> {
  try {
    return (await execFileAsync(qemuImg, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    throw new SnapshotError(`qemu-img ${args[0]} failed: ${(e.stderr ?? "").trim() || e.message}`);
  }
}

/** Names of the internal snapshots in a qcow2 (-U: a running QEMU holds it open). */
export async function listSnapshotTags(qemuImg: string, disk: string): Promise<string[]> {
  const info = JSON.parse(
    await runQemuImg(qemuImg, ["info", "--output=json", "-U", "-f", "qcow2", disk]),
  ) as { snapshots?: { name: string }[] };
  return (info.snapshots ?? []).map((s) => s.name);
}

/** The block device QEMU serves the VM's own disk as (not a volume): found by its file name. */
export async function findRootDiskDevice(qmp: QmpClient, disk: string): Promise<string> {
  const blocks =
    await qmp.execute<{ device: string; qdev?: string; inserted?: { file: string; "node-name"?: string } }[]>(
      "query-block",
    );
  const root = blocks.find((b) => b.inserted?.file === disk);
  if (!root) throw new SnapshotError(`QEMU does not have ${disk} open`);
  return root.device || root.inserted!["node-name"]!;
}

/** Bytes the overlay occupies on the host now: what a snapshot taken now keeps from being freed. */
async function allocatedBytes(path: string): Promise<number> {
  const st = await stat(path);
  return st.blocks * 512;
}

export async function createDiskSnapshot(a: VmStorageAccess, tag: string): Promise<{ sizeBytes: number }> {
  assertTag(tag);
  // A retried job finds its snapshot already made.
  if (!(await listSnapshotTags(a.qemuImg, a.paths.disk)).includes(tag)) {
    if (a.running) {
      await withQmp(
        a.paths.qmpSocket,
        async (qmp) => {
          const device = await findRootDiskDevice(qmp, a.paths.disk);
          await qmp.execute("blockdev-snapshot-internal-sync", { device, name: tag }, { timeoutMs: 120_000 });
        },
        STORAGE_QMP,
      );
    } else {
      await runQemuImg(a.qemuImg, ["snapshot", "-c", tag, a.paths.disk]);
    }
  }
  return { sizeBytes: await allocatedBytes(a.paths.disk) };
}

export async function revertDiskSnapshot(a: VmStorageAccess, tag: string): Promise<void> {
  assertTag(tag);
  if (a.running) throw new SnapshotError("the VM is running: stop it before reverting to a snapshot");
  if (!(await listSnapshotTags(a.qemuImg, a.paths.disk)).includes(tag))
    throw new SnapshotError("the snapshot is not on the instance's disk");
  await runQemuImg(a.qemuImg, ["snapshot", "-a", tag, a.paths.disk]);
}

export async function deleteDiskSnapshot(a: VmStorageAccess, tag: string): Promise<void> {
  assertTag(tag);
  if (!(await listSnapshotTags(a.qemuImg, a.paths.disk)).includes(tag)) return;
  if (a.running) {
    await withQmp(
      a.paths.qmpSocket,
      async (qmp) => {
        const device = await findRootDiskDevice(qmp, a.paths.disk);
        try {
          await qmp.execute(
            "blockdev-snapshot-delete-internal-sync",
            { device, name: tag },
            { timeoutMs: 120_000 },
          );
        } catch (err) {
          if (!(err instanceof QmpCommandError && /not found|can't find/i.test(err.desc))) throw err;
        }
      },
      STORAGE_QMP,
    );
  } else {
    await runQemuImg(a.qemuImg, ["snapshot", "-d", tag, a.paths.disk]);
  }
}
