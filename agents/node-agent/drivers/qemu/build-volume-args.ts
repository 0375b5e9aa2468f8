// Data volumes on QEMU's command line and over QMP (hot-plug). One name scheme for both, so a volume
// plugged in while the VM ran and one present at start are the same device to QEMU and to the guest.
import { MAX_VOLUMES_PER_INSTANCE } from "../../../protocol/storage";
import type { VmSpec, VolumeAttachment } from "../hypervisor-driver";
import { InvalidVmConfigError } from "./qemu-errors";
import { assertQemuSafePath } from "./vm-paths";

export const HOTPLUG_SLOTS = MAX_VOLUMES_PER_INSTANCE;

/** QEMU names of one slot: its PCIe root port, the block node and the virtio-blk device. */
export const slotNames = (slot: number) => ({ port: `hp${slot}`, node: `vol${slot}`, device: `vdev${slot}` });

/** The guest sees this as the disk's serial (/sys/block/vdX/serial; virtio-blk keeps 20 characters). */
export const volumeSerial = (volumeId: string) => volumeId.replaceAll("-", "").slice(0, 20);

function assertSlot(v: VolumeAttachment): void {
  if (!Number.isInteger(v.slot) || v.slot < 0 || v.slot >= HOTPLUG_SLOTS)
    throw new InvalidVmConfigError(`volume ${v.id}: slot ${v.slot} is not 0–${HOTPLUG_SLOTS - 1}`);
  if (!/^[A-Za-z0-9-]{1,64}$/.test(v.id))
    throw new InvalidVmConfigError(`invalid volume id ${JSON.stringify(v.id)}`);
  assertQemuSafePath(v.path, "volume path");
}

/** blockdev-add arguments for a volume (the same node the command line makes). */
export function volumeBlockdev(v: VolumeAttachment): Record<string, unknown> {
  assertSlot(v);
  return {
    driver: "qcow2",
    "node-name": slotNames(v.slot).node,
    discard: "unmap",
    file: { driver: "file", filename: v.path },
  };
}

/** device_add arguments: a virtio-blk disk in the slot's root port (q35) or on the root bus (pc). */
export function volumeDevice(v: VolumeAttachment, machine: "q35" | "pc"): Record<string, unknown> {
  assertSlot(v);
  const n = slotNames(v.slot);
  return {
    driver: "virtio-blk-pci",
    drive: n.node,
    id: n.device,
    serial: volumeSerial(v.id),
    ...(machine === "q35" ? { bus: n.port } : {}),
  };
}

const toOptionString = (o: Record<string, unknown>, prefix = ""): string[] =>
  Object.entries(o).flatMap(([k, v]) =>
    v !== null && typeof v === "object"
      ? toOptionString(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}=${String(v)}`],
  );

/**
 * q35 hot-plugs only into PCIe root ports, so every VM gets one empty port per slot at start (a few
 * bytes of config space each); volumes already attached are plugged into theirs. On `pc` the root bus
 * takes hot-plugged devices itself.
 */
export function buildVolumeArgs(spec: Pick<VmSpec, "volumes">, machine: "q35" | "pc"): string[] {
  const args: string[] = [];
  if (machine === "q35") {
    for (let slot = 0; slot < HOTPLUG_SLOTS; slot++)
      args.push("-device", `pcie-root-port,id=${slotNames(slot).port},chassis=${slot + 1}`);
  }
  const seen = new Set<number>();
  for (const v of spec.volumes ?? []) {
    if (seen.has(v.slot)) throw new InvalidVmConfigError(`two volumes in slot ${v.slot}`);
    seen.add(v.slot);
    const { driver: _driver, ...device } = volumeDevice(v, machine);
    args.push(
      "-blockdev",
      toOptionString(volumeBlockdev(v)).join(","),
      "-device",
      ["virtio-blk-pci", ...toOptionString(device)].join(","),
    );
  }
  return args;
}

/** The lowest slot no attached volume uses, or null when all are taken. */
export function freeSlot(volumes: readonly VolumeAttachment[]): number | null {
  for (let slot = 0; slot < HOTPLUG_SLOTS; slot++) if (!volumes.some((v) => v.slot === slot)) return slot;
  return null;
}
