// Snapshot mode and reset on real QEMU (TCG) with the real test guest. The guest writes markers to its
// own disk (the boot disk, mounted read-write at /mnt/disk) through its serial shell; each boot prints
// the markers it finds ("EDUCLOUD-MARKERS …"). A throw-away VM loses them at reset and at stop/start
// and never writes its base (sha256); a persistent VM keeps them across stop/start; reset with a new
// base boots that base (a marker baked into a second image). Two VMs, 192 MiB each, no network.
import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestImage } from "@/server/testing/test-image";
import { runOnGuest } from "../../network/testing/guest-shell";
import type { VmSpec } from "../hypervisor-driver";
import { QemuDriver } from "./qemu-driver";
import { killProcessesUnder } from "./testing/kill-test-vms";
import { BANNER, countOccurrences, readSerialLog, waitForSerialLog } from "./testing/serial-log";
import { resolveVmPaths } from "./vm-paths";

const execFileAsync = promisify(execFile);
const BOOT_TIMEOUT = 90_000;

let stateDir: string;
let baseImage: string;
let baseSha: string;
let driver: QemuDriver;
const throwaway = randomUUID();
const persistent = randomUUID();

const sha256 = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

function specFor(id: string, name: string, extra: Partial<VmSpec> = {}): VmSpec {
  return {
    id,
    name,
    vcpus: 1,
    memoryMiB: 192,
    diskGiB: 1,
    baseImagePath: baseImage,
    baseImageFormat: "qcow2",
    accel: "tcg",
    ...extra,
  };
}

/** Runs `boot` and waits for the guest's next banner; returns the markers that boot found on its disk. */
async function markersAfter(id: string, boot: () => Promise<unknown>): Promise<string[]> {
  const log = resolveVmPaths(stateDir, id).serialLog;
  const banners = countOccurrences(await readSerialLog(log), BANNER);
  await boot();
  const text = await waitForSerialLog(
    log,
    (l) =>
      countOccurrences(l, BANNER) > banners &&
      /EDUCLOUD-MARKERS [^\n]*\n[\s\S]*$/.test(l.split(BANNER).at(-1)!),
    BOOT_TIMEOUT,
  );
  const line = [...text.matchAll(/EDUCLOUD-MARKERS ([^\r\n]*)/g)].at(-1)![1]!;
  return line.split(/\s+/).filter(Boolean);
}

/** The guest writes a marker file to its disk and flushes it. */
async function writeMarker(id: string, name: string): Promise<void> {
  const paths = resolveVmPaths(stateDir, id);
  const r = await runOnGuest(paths, `echo ${name} > /mnt/disk/${name} && sync && ls /mnt/disk`);
  expect(r.code).toBe(0);
  expect(r.lines).toContain(name);
}

beforeAll(async () => {
  baseImage = await ensureTestImage();
  baseSha = await sha256(baseImage);
  stateDir = await mkdtemp(join(tmpdir(), "qt-"));
  driver = new QemuDriver({ stateDir });
}, 300_000);

afterAll(async () => {
  if (!stateDir) return;
  await killProcessesUnder(stateDir);
  await rm(stateDir, { recursive: true, force: true });
});

describe("snapshot mode and reset (real QEMU, real test guest)", () => {
  it("a throw-away VM's writes are gone after reset, and its base is untouched", async () => {
    expect(
      await markersAfter(throwaway, () => driver.create(specFor(throwaway, "t", { throwaway: true }))),
    ).toEqual([]);
    await writeMarker(throwaway, "marker-reset");
    const progress: string[] = [];
    expect(
      await markersAfter(throwaway, () =>
        driver.reset(throwaway, undefined, (p) => progress.push(p.message)),
      ),
    ).toEqual([]);
    expect(progress).toEqual(["powering off", "re-making the disk", "starting QEMU", "running"]);
    expect(await sha256(baseImage)).toBe(baseSha);
  }, 240_000);

  it("a throw-away VM's writes are gone after stop and start; its overlay is discarded at stop", async () => {
    await writeMarker(throwaway, "marker-stop");
    await driver.stop(throwaway, { timeoutMs: 15_000 });
    expect(existsSync(resolveVmPaths(stateDir, throwaway).disk)).toBe(false);
    expect(await markersAfter(throwaway, () => driver.start(throwaway))).toEqual([]);
    expect(await sha256(baseImage)).toBe(baseSha);
  }, 240_000);

  it("a throw-away VM whose QEMU died (host reboot) starts fresh too", async () => {
    await writeMarker(throwaway, "marker-crash");
    const { pid } = (await driver.status(throwaway))!;
    process.kill(pid!, "SIGKILL");
    await new Promise((r) => setTimeout(r, 500));
    expect(await markersAfter(throwaway, () => driver.start(throwaway))).toEqual([]);
    await driver.delete(throwaway);
  }, 240_000);

  it("a persistent VM keeps its writes across stop and start; reset takes them away", async () => {
    await markersAfter(persistent, () => driver.create(specFor(persistent, "p")));
    await writeMarker(persistent, "marker-keep");
    await driver.stop(persistent, { timeoutMs: 15_000 });
    expect(await markersAfter(persistent, () => driver.start(persistent))).toEqual(["marker-keep"]);
    expect(await markersAfter(persistent, () => driver.reset(persistent))).toEqual([]);
    expect(await sha256(baseImage)).toBe(baseSha);
  }, 240_000);

  it("reset with a new base image boots that image, and the VM's spec names it from then on", async () => {
    // A second base: the test image with a marker baked into its disk (raw → mcopy → qcow2).
    const raw = join(stateDir, "second.raw");
    const second = join(stateDir, "second.qcow2");
    await execFileAsync("qemu-img", ["convert", "-f", "qcow2", "-O", "raw", baseImage, raw]);
    await writeFile(join(stateDir, "marker-baked"), "baked\n");
    await execFileAsync("mcopy", ["-i", raw, join(stateDir, "marker-baked"), "::/marker-baked"], {
      env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
    });
    await execFileAsync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, second]);
    const secondSha = await sha256(second);

    await writeMarker(persistent, "marker-old");
    expect(
      await markersAfter(persistent, () =>
        driver.reset(persistent, { baseImagePath: second, baseImageFormat: "qcow2" }),
      ),
    ).toEqual(["marker-baked"]);
    expect((await driver.readSpec(persistent))?.baseImagePath).toBe(second);
    expect(await driver.baseImagesInUse()).toContain(second);
    // Reset again: back to the new base, not the old one.
    await writeMarker(persistent, "marker-new");
    expect(await markersAfter(persistent, () => driver.reset(persistent))).toEqual(["marker-baked"]);
    expect(await sha256(second)).toBe(secondSha);
    expect(await sha256(baseImage)).toBe(baseSha);
  }, 240_000);
});
