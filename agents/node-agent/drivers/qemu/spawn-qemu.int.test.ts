import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QemuStartError, spawnDaemonisedQemu } from "./spawn-qemu";
import { killProcessesUnder } from "./testing/kill-test-vms";
import { isVmProcessAlive, readPidfile } from "./vm-process";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spawn-"));
});
afterAll(async () => {
  await killProcessesUnder(dir);
  await rm(dir, { recursive: true, force: true });
});

const common = () => [
  "-nodefaults",
  "-no-user-config",
  "-display",
  "none",
  "-daemonize",
  "-pidfile",
  join(dir, "qemu.pid"),
];

describe("spawnDaemonisedQemu", () => {
  it("resolves once the daemon is up, leaving a live process that names its run directory", async () => {
    await spawnDaemonisedQemu("qemu-system-x86_64", ["-machine", "none", "-accel", "tcg", ...common()]);
    const pid = await readPidfile(join(dir, "qemu.pid"));
    expect(pid).not.toBeNull();
    expect(await isVmProcessAlive(pid!, dir)).toBe(true);
    process.kill(pid!, "SIGKILL");
  });

  it("rejects with QEMU's own stderr when the configuration is wrong", async () => {
    const error = await spawnDaemonisedQemu("qemu-system-x86_64", [
      "-machine",
      "no-such-machine",
      ...common(),
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QemuStartError);
    expect((error as Error).message).toMatch(/QEMU failed to start: .*unsupported machine type/);
  });

  it("names the missing binary and the package to install", async () => {
    await expect(spawnDaemonisedQemu("/nonexistent/qemu-system-x86_64", common())).rejects.toThrow(
      /not installed: apt-get install -y qemu-system-x86/,
    );
  });

  it("refuses to run without -daemonize (the VM would die with the agent)", async () => {
    await expect(spawnDaemonisedQemu("qemu-system-x86_64", ["-machine", "none"])).rejects.toThrow(
      /-daemonize/,
    );
  });
});

describe("guest priority", () => {
  it("the daemonised QEMU runs below the management plane (nice 5)", async () => {
    const { readFileSync } = await import("node:fs");
    const dir = await mkdtemp(join(tmpdir(), "nice-"));
    const pidfile = join(dir, "qemu.pid");
    try {
      await spawnDaemonisedQemu("qemu-system-x86_64", [
        "-machine",
        "none",
        "-display",
        "none",
        "-nodefaults",
        "-daemonize",
        "-pidfile",
        pidfile,
      ]);
      const pid = Number(readFileSync(pidfile, "utf8").trim());
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      expect(Number(fields[16])).toBe(5); // field 19 of /proc/pid/stat: nice
      process.kill(pid, "SIGKILL");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
