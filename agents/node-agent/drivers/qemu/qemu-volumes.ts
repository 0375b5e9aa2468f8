// Data volumes are qcow2 files in `${stateDir}/volumes/`, on one host. Attaching records the volume
// in the VM's spec (so it is on QEMU's command line at every later start) and, while the VM runs,
// hot-plugs it: blockdev-add + device_add into a free PCIe root port. Detaching asks the guest to
// release the device (device_del), waits for QEMU's DEVICE_DELETED, then drops the block node.
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { VolumeAttachment } from "../hypervisor-driver";
import { freeSlot, slotNames, volumeBlockdev, volumeDevice } from "./build-volume-args";
import { QmpCommandError, withQmp, type QmpClient } from "./qmp-client";
import { runQemuImg, STORAGE_QMP, type VmStorageAccess } from "./qemu-snapshots";
import { readVmRecord, writeVmRecord } from "./vm-record";
import { resolveVmsDir } from "./vm-paths";

const GiB = 1024 ** 3;
/** Linux's pciehp waits 5 s after the attention button before it powers a slot off; TCG is slow. */
const UNPLUG_TIMEOUT_MS = 45_000;

export class VolumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VolumeError";
  }
}

const VOLUME_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function volumePath(stateDir: string, volumeId: string): string {
  if (!VOLUME_ID.test(volumeId)) throw new VolumeError(`invalid volume id ${JSON.stringify(volumeId)}`);
  return join(stateDir, "volumes", `${volumeId}.qcow2`);
}

/** An empty qcow2 of `sizeGiB`, written beside its final name and renamed (a retry finds it made). */
export async function createVolumeFile(
  stateDir: string,
  qemuImg: string,
  volumeId: string,
  sizeGiB: number,
): Promise<void> {
  const path = volumePath(stateDir, volumeId);
  if (existsSync(path)) return;
  await mkdir(join(stateDir, "volumes"), { recursive: true, mode: 0o700 });
  const temp = `${path}.tmp`;
  await runQemuImg(qemuImg, ["create", "-q", "-f", "qcow2", temp, String(sizeGiB * GiB)]);
  await rename(temp, path);
}

/** Which VMs' specs name the volume (attached, running or not). */
export async function findVmsUsingVolume(stateDir: string, volumeId: string): Promise<string[]> {
  const dirs = await readdir(resolveVmsDir(stateDir), { withFileTypes: true }).catch(() => []);
  const users: string[] = [];
  for (const d of dirs) {
    if (!d.isDirectory()) continue;
    const record = await readVmRecord(join(resolveVmsDir(stateDir), d.name, "spec.json")).catch(() => null);
    if (record?.spec.volumes?.some((v) => v.id === volumeId)) users.push(d.name);
  }
  return users;
}

export async function deleteVolumeFile(stateDir: string, volumeId: string): Promise<void> {
  const path = volumePath(stateDir, volumeId);
  const users = await findVmsUsingVolume(stateDir, volumeId);
  if (users.length) throw new VolumeError(`the volume is still attached to VM ${users.join(", ")}`);
  await rm(path, { force: true });
}

/** Is the slot's virtio-blk device present in the running QEMU? */
async function isPlugged(qmp: QmpClient, slot: number): Promise<boolean> {
  const blocks = await qmp.execute<{ qdev?: string }[]>("query-block");
  return blocks.some(
    (b) =>
      b.qdev?.includes(`/${slotNames(slot).device}/`) ||
      b.qdev === `/machine/peripheral/${slotNames(slot).device}`,
  );
}

async function saveVolumes(a: VmStorageAccess, volumes: VolumeAttachment[]): Promise<void> {
  const current = (await readVmRecord(a.paths.specFile)) ?? a.record;
  await writeVmRecord(a.paths.specFile, { ...current, spec: { ...current.spec, volumes } });
}

export async function attachVolumeToVm(
  a: VmStorageAccess,
  stateDir: string,
  volumeId: string,
): Promise<VolumeAttachment> {
  const path = volumePath(stateDir, volumeId);
  if (!existsSync(path)) throw new VolumeError("the volume's file is not on this host");
  const volumes = a.record.spec.volumes ?? [];
  let attachment = volumes.find((v) => v.id === volumeId);
  if (!attachment) {
    const slot = freeSlot(volumes);
    if (slot === null)
      throw new VolumeError(`every hot-plug slot of the VM is taken (${volumes.length} volumes)`);
    attachment = { id: volumeId, path, slot };
    // Recorded first: if the agent dies between the two steps, a retry finds the record and plugs.
    await saveVolumes(a, [...volumes, attachment]);
  }
  if (a.running) {
    const machine = a.record.machine;
    const v = attachment;
    try {
      await withQmp(
        a.paths.qmpSocket,
        async (qmp) => {
          if (await isPlugged(qmp, v.slot)) return;
          await qmp.execute("blockdev-add", volumeBlockdev(v)).catch((err: unknown) => {
            // Left over from an attempt that got this far: the node is there already.
            if (!(err instanceof QmpCommandError && /Duplicate node name|already exists/i.test(err.desc)))
              throw err;
          });
          try {
            await qmp.execute("device_add", volumeDevice(v, machine));
          } catch (err) {
            await qmp.execute("blockdev-del", { "node-name": slotNames(v.slot).node }).catch(() => undefined);
            throw err;
          }
        },
        STORAGE_QMP,
      );
    } catch (err) {
      await saveVolumes(
        a,
        volumes.filter((x) => x.id !== volumeId),
      );
      throw new VolumeError(`hot-plug failed: ${(err as Error).message}`);
    }
  }
  return attachment;
}

export async function detachVolumeFromVm(a: VmStorageAccess, volumeId: string): Promise<void> {
  const volumes = a.record.spec.volumes ?? [];
  const attachment = volumes.find((v) => v.id === volumeId);
  if (!attachment) return;
  if (a.running) {
    const n = slotNames(attachment.slot);
    await withQmp(
      a.paths.qmpSocket,
      async (qmp) => {
        if (await isPlugged(qmp, attachment.slot)) {
          // Listening before device_del: a guest quick to let go could otherwise beat the listener.
          const deleted = qmp.waitForEvent(
            "DEVICE_DELETED",
            UNPLUG_TIMEOUT_MS,
            (ev) => (ev.data as { device?: string } | undefined)?.device === n.device,
          );
          try {
            await qmp.execute("device_del", { id: n.device });
          } catch (err) {
            // Gone already (an earlier attempt timed out and the guest let go later).
            if (!(err instanceof QmpCommandError && /not found/i.test(err.desc))) throw err;
          }
          const released = await deleted;
          if (!released && qmp.isClosed) {
            // QEMU is gone (or the VM was stopped): no event will come, and nothing is left to unplug from.
            throw new VolumeError(
              "QEMU closed its QMP connection before the guest released the disk (did the instance stop?); the volume is still recorded as attached: detach it again",
            );
          }
          if (!released && (await isPlugged(qmp, attachment.slot))) {
            throw new VolumeError(
              `the guest did not release the disk within ${UNPLUG_TIMEOUT_MS / 1000} s; it is still attached (unmount it in the guest, or stop the instance, and try again)`,
            );
          }
        }
        await qmp.execute("blockdev-del", { "node-name": n.node }).catch((err: unknown) => {
          if (!(err instanceof QmpCommandError && /not found|Cannot find/i.test(err.desc))) throw err;
        });
      },
      STORAGE_QMP,
    );
  }
  await saveVolumes(
    a,
    volumes.filter((v) => v.id !== volumeId),
  );
}
