// The agent starts QEMU detached itself (no -daemonize, which forks under the sandbox's spawn=deny):
// real QEMU, a machine with no guest, everything under one temporary directory.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxOption } from "./build-qemu-args";
import { spawnDetachedQemu } from "./spawn-detached-qemu";
import { QemuStartError } from "./spawn-qemu";
import { killProcessesUnder } from "./testing/kill-test-vms";
import { isVmProcessAlive, readPidfile } from "./vm-process";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sdq-"));
});
afterAll(async () => {
  await killProcessesUnder(dir);
  await rm(dir, { recursive: true, force: true });
});

const files = (name: string) => ({
  logFile: join(dir, `${name}.log`),
  pidfile: join(dir, `${name}.pid`),
  readySocket: join(dir, `${name}.qmp`),
});
const args = (f: ReturnType<typeof files>, machine = "none") => [
  ...["-machine", machine, "-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none"],
  ...["-qmp", `unix:${f.readySocket},server=on,wait=off`, "-pidfile", f.pidfile],
  ...["-sandbox", sandboxOption(undefined)],
];

describe("spawnDetachedQemu", () => {
  it("resolves once QEMU is up under the full sandbox, in a session of its own", async () => {
    const f = files("up");
    await spawnDetachedQemu("qemu-system-x86_64", args(f), f);
    const pid = (await readPidfile(f.pidfile))!;
    expect(await isVmProcessAlive(pid, dir)).toBe(true);
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    expect(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3])).toBe(pid); // session leader
    expect(await readFile(`/proc/${pid}/status`, "utf8")).toMatch(/^Seccomp:\s+2$/m);
    process.kill(pid, "SIGKILL");
  });

  it("rejects with what QEMU wrote when its configuration is wrong", async () => {
    const f = files("bad");
    const error = await spawnDetachedQemu("qemu-system-x86_64", args(f, "no-such-machine"), f).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QemuStartError);
    expect((error as Error).message).toMatch(/QEMU failed to start: .*unsupported machine type/);
  });

  it("names a missing binary, and refuses -daemonize", async () => {
    const f = files("missing");
    await expect(spawnDetachedQemu("/nonexistent/qemu-system-x86_64", args(f), f)).rejects.toThrow(
      /not installed: apt-get install -y qemu-system-x86/,
    );
    await expect(spawnDetachedQemu("qemu-system-x86_64", ["-daemonize"], f)).rejects.toThrow(/-daemonize/);
  });
});
