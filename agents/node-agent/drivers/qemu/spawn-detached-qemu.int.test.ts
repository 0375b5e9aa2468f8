// The agent starts QEMU detached itself (no -daemonize, which forks under the sandbox's spawn=deny):
// real QEMU, a machine with no guest, everything under one temporary directory.
import { chmod, chown, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_OPTION } from "./build-qemu-args";
import { lookUpQemuUser } from "./qemu-user";
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

const files = (name: string, qemuDir = dir) => ({
  logFile: join(dir, `${name}.log`),
  pidfile: join(qemuDir, `${name}.pid`),
  readySocket: join(qemuDir, `${name}.qmp`),
});
const args = (f: ReturnType<typeof files>, machine = "none") => [
  ...["-machine", machine, "-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none"],
  ...["-qmp", `unix:${f.readySocket},server=on,wait=off`, "-pidfile", f.pidfile],
  ...["-sandbox", SANDBOX_OPTION],
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

  it("starts QEMU as the given user from its first instruction: no -runas, set-uid calls denied too", async () => {
    const nobody = (await lookUpQemuUser("nobody"))!;
    // QEMU creates its pidfile and socket as that user: a folder of its own, as the driver gives it.
    const own = join(dir, "nobody");
    await mkdir(own, { mode: 0o700 });
    await chown(own, nobody.uid, nobody.gid);
    await chmod(dir, 0o711);
    const f = files("user", own);
    await spawnDetachedQemu("qemu-system-x86_64", args(f), { ...f, user: nobody });
    const pid = (await readPidfile(f.pidfile))!;
    expect(await isVmProcessAlive(pid, dir)).toBe(true);
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
    expect(cmdline[0]).toBe("qemu-system-x86_64"); // setpriv exec'd QEMU: the spawned process is QEMU
    expect(cmdline).not.toContain("-runas");
    expect(cmdline[cmdline.indexOf("-sandbox") + 1]).toContain("elevateprivileges=deny");
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, "m").exec(status)?.[1]?.trim();
    const id = (n: number) => `${n}\t${n}\t${n}\t${n}`;
    expect(field("Uid")).toBe(id(nobody.uid));
    expect(field("Gid")).toBe(id(nobody.gid));
    // -runas would leave the bounding set full and NoNewPrivs to QEMU's seccomp: setpriv empties it first.
    expect(field("CapBnd")).toBe("0000000000000000");
    expect(field("CapEff")).toBe("0000000000000000");
    expect(field("NoNewPrivs")).toBe("1");
    expect(field("Seccomp")).toBe("2");
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
