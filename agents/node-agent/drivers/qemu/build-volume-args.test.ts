import { describe, expect, it } from "vitest";
import { buildVolumeArgs, freeSlot, volumeBlockdev, volumeDevice, volumeSerial } from "./build-volume-args";
import { parseQemuImgProgress } from "./qemu-capture";
import { InvalidVmConfigError } from "./qemu-errors";

const vol = (slot: number, id = "0b0e5a4c-1f7e-4d2a-9c3b-5e6f7a8b9c0d") => ({
  id,
  path: `/var/lib/educloud-agent/volumes/${id}.qcow2`,
  slot,
});

describe("volume arguments", () => {
  it("gives every q35 VM one empty PCIe root port per hot-plug slot, and nothing else without volumes", () => {
    expect(buildVolumeArgs({}, "q35")).toEqual([
      "-device",
      "pcie-root-port,id=hp0,chassis=1",
      "-device",
      "pcie-root-port,id=hp1,chassis=2",
      "-device",
      "pcie-root-port,id=hp2,chassis=3",
      "-device",
      "pcie-root-port,id=hp3,chassis=4",
    ]);
    expect(buildVolumeArgs({}, "pc")).toEqual([]);
  });

  it("plugs an attached volume into its slot's port, named as hot-plug names it", () => {
    const args = buildVolumeArgs({ volumes: [vol(2)] }, "q35");
    expect(args.slice(8)).toEqual([
      "-blockdev",
      `driver=qcow2,node-name=vol2,discard=unmap,file.driver=file,file.filename=${vol(2).path}`,
      "-device",
      "virtio-blk-pci,drive=vol2,id=vdev2,serial=0b0e5a4c1f7e4d2a9c3b,bus=hp2",
    ]);
    expect(volumeBlockdev(vol(2))).toEqual({
      driver: "qcow2",
      "node-name": "vol2",
      discard: "unmap",
      file: { driver: "file", filename: vol(2).path },
    });
    expect(volumeDevice(vol(2), "q35")).toEqual({
      driver: "virtio-blk-pci",
      drive: "vol2",
      id: "vdev2",
      serial: "0b0e5a4c1f7e4d2a9c3b",
      bus: "hp2",
    });
    expect(volumeDevice(vol(2), "pc")).not.toHaveProperty("bus");
  });

  it("refuses paths QEMU would misread, slots out of range and two volumes in one slot", () => {
    expect(() => buildVolumeArgs({ volumes: [{ ...vol(0), path: "/tmp/a,b.qcow2" }] }, "q35")).toThrow(
      InvalidVmConfigError,
    );
    expect(() => buildVolumeArgs({ volumes: [vol(4)] }, "q35")).toThrow(/slot 4/);
    expect(() =>
      buildVolumeArgs({ volumes: [vol(1), vol(1, "1b0e5a4c-1f7e-4d2a-9c3b-5e6f7a8b9c0d")] }, "q35"),
    ).toThrow(/two volumes in slot 1/);
  });

  it("finds the lowest free slot", () => {
    expect(freeSlot([])).toBe(0);
    expect(freeSlot([vol(0), vol(2)])).toBe(1);
    expect(freeSlot([vol(0), vol(1), vol(2), vol(3)])).toBeNull();
  });

  it("keeps 20 characters of the id as the disk's serial (virtio-blk's limit)", () => {
    expect(volumeSerial("0b0e5a4c-1f7e-4d2a-9c3b-5e6f7a8b9c0d")).toBe("0b0e5a4c1f7e4d2a9c3b");
  });
});

describe("parseQemuImgProgress", () => {
  it("reads the last progress figure of a chunk", () => {
    expect(parseQemuImgProgress("    (0.00/100%)\r    (42.17/100%)\r")).toBeCloseTo(0.4217);
    expect(parseQemuImgProgress("    (100.00/100%)\r")).toBe(1);
    expect(parseQemuImgProgress("nothing here")).toBeNull();
  });
});
