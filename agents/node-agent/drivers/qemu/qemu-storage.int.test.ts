// Snapshots, disk export and volume hot-plug against real QEMU (TCG) and the real test guest. One VM
// for the whole file. The guest's root is an initramfs, so "its disk" is written raw with dd at 64 MiB
// into /dev/vda (beyond the 32 MiB boot filesystem, inside the 1 GiB overlay) and read back the same way.
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestImage } from "@/server/testing/test-image";
import { runOnGuest } from "../../network/testing/guest-shell";
import { readImageInfo } from "./disk-image";
import { QemuDriver } from "./qemu-driver";
import { volumePath } from "./qemu-volumes";
import { killProcessesUnder } from "./testing/kill-test-vms";
import { BANNER, countOccurrences, waitForSerialLog } from "./testing/serial-log";
import { resolveVmPaths } from "./vm-paths";
import { volumeSerial } from "./build-volume-args";

const run = promisify(execFile);
const BOOT_TIMEOUT = 90_000;
const MARK_OFFSET_MIB = 64;

let stateDir: string;
let driver: QemuDriver;
const vm = randomUUID();
let paths: ReturnType<typeof resolveVmPaths>;

async function waitForBoot(n: number): Promise<void> {
  await waitForSerialLog(paths.serialLog, (log) => countOccurrences(log, BANNER) >= n, BOOT_TIMEOUT);
  // The shell on ttyS0 starts right after the banner; give init a moment to spawn it.
  await new Promise((r) => setTimeout(r, 1000));
}

const writeMarker = async (marker: string) => {
  const r = await runOnGuest(
    paths,
    `echo ${marker} | dd of=/dev/vda bs=1M seek=${MARK_OFFSET_MIB} conv=notrunc 2>/dev/null && sync`,
  );
  expect(r.code).toBe(0);
};
const readMarker = async () => {
  const r = await runOnGuest(
    paths,
    `dd if=/dev/vda bs=1M skip=${MARK_OFFSET_MIB} count=1 2>/dev/null | head -c 64 | tr -dc 'A-Za-z0-9-'; echo`,
  );
  expect(r.code).toBe(0);
  return r.lines.join("");
};

/** The marker as stored in a qcow2 file (read on the host with qemu-img, not by any guest). */
async function markerInImage(path: string): Promise<string> {
  // qemu-img dd counts the skipped blocks in `count`.
  const out = join(stateDir, `peek-${randomBytes(3).toString("hex")}.raw`);
  await run("qemu-img", [
    "dd",
    "-f",
    "qcow2",
    "-O",
    "raw",
    "bs=1M",
    `skip=${MARK_OFFSET_MIB}`,
    `count=${MARK_OFFSET_MIB + 1}`,
    `if=${path}`,
    `of=${out}`,
  ]);
  const text = (await readFile(out))
    .subarray(0, 64)
    .toString("latin1")
    .replace(/[^A-Za-z0-9-]/g, "");
  await rm(out, { force: true });
  return text;
}

beforeAll(async () => {
  const baseImage = await ensureTestImage();
  stateDir = await mkdtemp(join(tmpdir(), "qs-"));
  // As the agent runs QEMU: dropped to a user, so hot-plugged volumes and live captures, which QEMU
  // opens after the drop, must be made reachable for it.
  driver = new QemuDriver({ stateDir, runAs: "nobody" });
  paths = resolveVmPaths(stateDir, vm);
  await driver.create({
    id: vm,
    name: "storage",
    vcpus: 1,
    memoryMiB: 192,
    diskGiB: 1,
    baseImagePath: baseImage,
    baseImageFormat: "qcow2",
    accel: "tcg",
  });
  await waitForBoot(1);
}, 180_000);

afterAll(async () => {
  if (!stateDir) return;
  await killProcessesUnder(stateDir);
  await rm(stateDir, { recursive: true, force: true });
});

describe("QEMU storage: snapshots, export, volumes", () => {
  const before = `BEFORE-${randomBytes(4).toString("hex")}`;
  const after = `AFTER-${randomBytes(4).toString("hex")}`;
  const snap = randomUUID();

  it("snapshots a running VM's disk; a revert (stopped) brings back what the disk held then", async () => {
    await writeMarker(before);
    expect(await readMarker()).toBe(before);
    const { sizeBytes } = await driver.createSnapshot(vm, snap);
    expect(sizeBytes).toBeGreaterThan(0);
    await driver.createSnapshot(vm, snap); // a retried job is a no-op
    await writeMarker(after);
    expect(await readMarker()).toBe(after);

    await expect(driver.revertSnapshot(vm, snap)).rejects.toThrow(/running: stop it/);
    await driver.stop(vm, { timeoutMs: 20_000 });
    await driver.revertSnapshot(vm, snap);
    expect(await markerInImage(paths.disk)).toBe(before);
    await driver.start(vm);
    await waitForBoot(2);
    expect(await readMarker()).toBe(before);
  }, 180_000);

  it("exports the running disk (overlay + base) as one standalone qcow2 holding the guest's writes", async () => {
    const target = join(stateDir, "export-running.qcow2");
    const seen: number[] = [];
    await driver.exportDisk(vm, target, (f) => seen.push(f));
    expect((await readImageInfo(target)).backingFile).toBeUndefined();
    expect(seen.at(-1)).toBe(1);
    expect(await markerInImage(target)).toBe(before);
  }, 120_000);

  it("hot-plugs a volume into the running guest as a virtio disk, and unplugs it again", async () => {
    const volumeId = randomUUID();
    await driver.createVolume(volumeId, 1);
    await driver.createVolume(volumeId, 1); // idempotent
    expect(existsSync(volumePath(stateDir, volumeId))).toBe(true);

    const attached = await driver.attachVolume(vm, volumeId);
    expect(attached.slot).toBe(0);
    expect((await driver.readSpec(vm))?.volumes?.map((v) => v.id)).toEqual([volumeId]);
    const seen = await runOnGuest(
      paths,
      "for i in $(seq 1 40); do [ -e /sys/block/vdb ] && break; sleep 0.5; done; cat /sys/block/vdb/serial; echo; cat /sys/block/vdb/size",
    );
    expect(seen.code).toBe(0);
    expect(seen.lines[0]).toBe(volumeSerial(volumeId));
    expect(Number(seen.lines[1]) * 512).toBe(1024 ** 3);
    await expect(driver.deleteVolume(volumeId)).rejects.toThrow(/still attached/);

    await driver.detachVolume(vm, volumeId);
    expect((await driver.readSpec(vm))?.volumes).toEqual([]);
    const gone = await runOnGuest(
      paths,
      "for i in $(seq 1 20); do [ -e /sys/block/vdb ] || break; sleep 0.5; done; [ ! -e /sys/block/vdb ] && echo gone",
    );
    expect(gone.lines).toContain("gone");
    await driver.deleteVolume(volumeId);
    expect(existsSync(volumePath(stateDir, volumeId))).toBe(false);
  }, 150_000);

  it("keeps a volume attached while stopped in the spec: it is there at the next start", async () => {
    const volumeId = randomUUID();
    await driver.createVolume(volumeId, 2);
    await driver.stop(vm, { timeoutMs: 20_000 });
    await driver.attachVolume(vm, volumeId);
    await driver.start(vm);
    await waitForBoot(3);
    const seen = await runOnGuest(paths, "cat /sys/block/vdb/serial; echo");
    expect(seen.lines[0]).toBe(volumeSerial(volumeId));
  }, 150_000);

  it("exports a stopped disk with qemu-img, reporting progress", async () => {
    await driver.stop(vm, { timeoutMs: 20_000 });
    const target = join(stateDir, "export-stopped.qcow2");
    const seen: number[] = [];
    await driver.exportDisk(vm, target, (f) => seen.push(f));
    expect(seen.at(-1)).toBe(1);
    expect((await readImageInfo(target)).backingFile).toBeUndefined();
    expect(await markerInImage(target)).toBe(before);
    await driver.deleteSnapshot(vm, snap);
    await driver.deleteSnapshot(vm, snap); // gone already: a no-op
  }, 60_000);
});
