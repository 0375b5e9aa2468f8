import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cmdlineBelongsToRunDir, isVmProcessAlive, readPidfile, waitForVmProcessExit } from "./vm-process";

describe("cmdlineBelongsToRunDir", () => {
  const argv = [
    "qemu-system-x86_64",
    "-drive",
    "file=/s/vms/ab/disk.qcow2,if=virtio",
    "-pidfile",
    "/s/vms/ab/qemu.pid",
  ].join("\0");

  it("matches a command line that names files in the run directory", () => {
    expect(cmdlineBelongsToRunDir(argv, "/s/vms/ab")).toBe(true);
    expect(cmdlineBelongsToRunDir(argv, "/s/vms/ab/")).toBe(true);
  });

  it("does not match a sibling whose name starts the same, or an empty command line", () => {
    expect(cmdlineBelongsToRunDir(argv, "/s/vms/a")).toBe(false);
    expect(cmdlineBelongsToRunDir("", "/s/vms/ab")).toBe(false);
  });
});

describe("pidfiles and live processes", () => {
  let dir: string;
  let child: ChildProcess;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "vmproc-"));
    // `sh -c CMD NAME`: NAME lands in the command line, as QEMU's paths do.
    child = spawn("sh", ["-c", "sleep 30; true", `${dir}/qemu.pid`], { stdio: "ignore" });
    await new Promise((resolve) => child.once("spawn", resolve));
  });
  afterAll(async () => {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a pid, and null for a missing or garbage pidfile", async () => {
    await writeFile(join(dir, "good.pid"), "4242\n");
    await writeFile(join(dir, "bad.pid"), "not a pid");
    await writeFile(join(dir, "one.pid"), "1");
    expect(await readPidfile(join(dir, "good.pid"))).toBe(4242);
    expect(await readPidfile(join(dir, "bad.pid"))).toBeNull();
    expect(await readPidfile(join(dir, "one.pid"))).toBeNull();
    expect(await readPidfile(join(dir, "missing.pid"))).toBeNull();
  });

  it("recognises its own VM process and no other run directory's", async () => {
    expect(await isVmProcessAlive(child.pid!, dir)).toBe(true);
    expect(await isVmProcessAlive(child.pid!, `${dir}-other`)).toBe(false);
    // A pid that is alive but not a VM (this test runner) is not mistaken for one.
    expect(await isVmProcessAlive(process.pid, dir)).toBe(false);
  });

  it("waits for the process to exit", async () => {
    expect(await waitForVmProcessExit(child.pid!, dir, 100)).toBe(false);
    child.kill("SIGKILL");
    expect(await waitForVmProcessExit(child.pid!, dir, 5_000)).toBe(true);
  });
});
