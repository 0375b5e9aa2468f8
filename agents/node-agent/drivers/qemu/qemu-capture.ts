// The VM's disk (overlay + its base) as one standalone qcow2, the input of "create image from
// instance". Stopped: `qemu-img convert -p` reads the whole chain. Running: QMP drive-backup with
// sync=full copies the disk as it was when the job started (point-in-time, crash-consistent) while the
// guest keeps running; its progress comes from query-jobs.
import { spawn } from "node:child_process";
import { rm, stat } from "node:fs/promises";
import { readImageInfo } from "./disk-image";
import { withQmp } from "./qmp-client";
import { findRootDiskDevice, SnapshotError, STORAGE_QMP, type VmStorageAccess } from "./qemu-snapshots";
import { assertQemuSafePath } from "./vm-paths";

/** Parses qemu-img's `-p` progress, e.g. "    (42.17/100%)\r"; returns the last fraction seen, or null. */
export function parseQemuImgProgress(chunk: string): number | null {
  const all = [...chunk.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)];
  const last = all.at(-1);
  return last ? Math.min(1, Number(last[1]) / 100) : null;
}

function convertWithProgress(
  qemuImg: string,
  source: string,
  target: string,
  onProgress?: (f: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(qemuImg, ["convert", "-p", "-f", "qcow2", "-O", "qcow2", source, target], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const f = parseQemuImgProgress(chunk);
      if (f !== null) onProgress?.(f);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on("error", (err) => reject(new SnapshotError(`cannot run ${qemuImg}: ${err.message}`)));
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new SnapshotError(`qemu-img convert failed (${code}): ${stderr.trim()}`)),
    );
  });
}

interface QmpJob {
  id: string;
  status: string;
  "current-progress": number;
  "total-progress": number;
  error?: string;
}

async function backupRunningDisk(
  a: VmStorageAccess,
  target: string,
  onProgress?: (f: number) => void,
): Promise<void> {
  const jobId = "educloud-capture";
  await withQmp(
    a.paths.qmpSocket,
    async (qmp) => {
      const device = await findRootDiskDevice(qmp, a.paths.disk);
      const completed = qmp.waitForEvent("BLOCK_JOB_COMPLETED", 6 * 3600_000);
      // A job left over by an agent that died mid-capture would block the id: cancel it first.
      await qmp.execute("block-job-cancel", { device: jobId, force: true }).catch(() => undefined);
      await qmp.execute("drive-backup", {
        "job-id": jobId,
        device,
        target,
        format: "qcow2",
        sync: "full",
        mode: "absolute-paths",
        "auto-dismiss": true,
      });
      const poll = setInterval(() => {
        void qmp
          .execute<QmpJob[]>("query-jobs", undefined, { timeoutMs: 5_000 })
          .then((jobs) => {
            const job = jobs.find((j) => j.id === jobId);
            if (job && job["total-progress"] > 0)
              onProgress?.(job["current-progress"] / job["total-progress"]);
          })
          .catch(() => undefined);
      }, 500);
      try {
        const ev = await completed;
        if (!ev)
          throw new SnapshotError(
            "QEMU closed the connection before the disk copy finished (did the VM stop?)",
          );
        const data = ev.data as { device?: string; error?: string; len?: number; offset?: number };
        if (data.error) throw new SnapshotError(`the disk copy failed: ${data.error}`);
        if (data.len !== undefined && data.offset !== undefined && data.offset < data.len)
          throw new SnapshotError("the disk copy was cancelled");
      } finally {
        clearInterval(poll);
      }
    },
    STORAGE_QMP,
  );
}

/** Writes the VM's whole disk to `target` as a qcow2 with no backing file. Removes `target` on failure. */
export async function exportVmDisk(
  a: VmStorageAccess,
  target: string,
  onProgress?: (fraction: number) => void,
): Promise<{ sizeBytes: number }> {
  assertQemuSafePath(target, "capture target");
  await rm(target, { force: true });
  try {
    if (a.running) await backupRunningDisk(a, target, onProgress);
    else await convertWithProgress(a.qemuImg, a.paths.disk, target, onProgress);
    // What leaves the host must stand alone: the portal refuses images that name other files anyway.
    const info = await readImageInfo(target, { format: "qcow2", qemuImg: a.qemuImg });
    if (info.backingFile) throw new SnapshotError(`the captured disk still refers to ${info.backingFile}`);
    onProgress?.(1);
    return { sizeBytes: (await stat(target)).size };
  } catch (err) {
    await rm(target, { force: true });
    throw err;
  }
}
