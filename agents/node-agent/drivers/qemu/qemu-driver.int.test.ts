// The QEMU driver against real QEMU (TCG) and the real test guest. At most two VMs at once, 256 MiB
// each, no network. Every QEMU started here names files under `stateDir`, and afterAll kills them all.
import { spawn } from "node:child_process";
import { randomInt, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestImage } from "@/server/testing/test-image";
import type { VmSpec } from "../hypervisor-driver";
import { readImageInfo } from "./disk-image";
import { openGuestCpuGroup } from "./guest-cpu-group";
import { QemuDriver } from "./qemu-driver";
import { lookUpQemuUser, type QemuUser } from "./qemu-user";
import { InvalidVmConfigError, VmNotFoundError, VmNotRunningError } from "./qemu-errors";
import { killProcessesUnder } from "./testing/kill-test-vms";
import { BANNER, countOccurrences, readSerialLog, waitForSerialLog } from "./testing/serial-log";
import { resolveVmPaths } from "./vm-paths";
import { parseProcStatState } from "../../host-processes";

const BOOT_TIMEOUT = 60_000;

let stateDir: string;
let baseImage: string;
let driver: QemuDriver;
let nobody: QemuUser | null;
const vm1 = randomUUID();
const vm2 = randomUUID();

function specFor(id: string, name: string): VmSpec {
  return {
    id,
    name,
    vcpus: 1,
    memoryMiB: 256,
    diskGiB: 1,
    baseImagePath: baseImage,
    baseImageFormat: "qcow2",
    accel: "tcg",
  };
}

/** Gone, or a zombie nobody reaped yet (QEMU is reparented to PID 1, which may not reap). */
async function isGone(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat === null || parseProcStatState(stat) === "Z";
}

/** The fields of /proc/<pid>/status this file checks: who the process runs as and its seccomp mode. */
async function readStatus(pid: number): Promise<{
  uid: string;
  gid: string;
  seccomp: number;
  capEff: string;
  capBnd: string;
  noNewPrivs: number;
}> {
  const s = await readFile(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, "m").exec(s)?.[1]?.trim() ?? "";
  return {
    // real, effective, saved and filesystem ids
    uid: field("Uid").split(/\s+/).join(" "),
    gid: field("Gid").split(/\s+/).join(" "),
    seccomp: Number(field("Seccomp")),
    capEff: field("CapEff"),
    capBnd: field("CapBnd"),
    noNewPrivs: Number(field("NoNewPrivs")),
  };
}

/** The session id (field 6 of /proc/<pid>/stat, after the parenthesised command name). */
async function readSessionId(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
}

function readPpid(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, "utf8").then((s) => Number(/^PPid:\s+(\d+)/m.exec(s)?.[1]));
}

/** Types a line on the guest's serial console (the socket QEMU serves) and keeps it open briefly. */
async function typeOnSerial(socketPath: string, line: string): Promise<void> {
  const socket = connect(socketPath);
  await new Promise<void>((ok, fail) => socket.once("connect", ok).once("error", fail));
  socket.write(`${line}\n`);
  await new Promise((r) => setTimeout(r, 500));
  socket.end();
}

beforeAll(async () => {
  baseImage = await ensureTestImage();
  // Short, comma-free and under /tmp: unix socket paths must stay under 108 bytes.
  stateDir = await mkdtemp(join(tmpdir(), "qd-"));
  // QEMU drops to an unprivileged user, as the agent runs it: "nobody" exists everywhere, so the test
  // creates no account (the agent's default, educloud-qemu, comes from scripts/setup.sh).
  nobody = await lookUpQemuUser("nobody");
  if (!nobody) throw new Error("this test needs the system user nobody");
  driver = new QemuDriver({ stateDir, runAs: "nobody" });
}, 300_000);

afterAll(async () => {
  if (!stateDir) return;
  await killProcessesUnder(stateDir);
  await rm(stateDir, { recursive: true, force: true });
});

describe("QemuDriver with real QEMU", () => {
  it("detects QEMU and never picks KVM where the CPU has no vmx/svm", async () => {
    const facts = await driver.detect();
    expect(facts).toMatchObject({ kind: "qemu", available: true });
    expect(facts.version).toMatch(/^\d+\.\d+/);
    const cpuinfo = await readFile("/proc/cpuinfo", "utf8");
    if (!/^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo))
      expect(facts.accel).toEqual({
        kvmUsable: false,
        reason: "the CPU exposes no vmx/svm flag",
        reasonMessage: { code: "agent.kvmNoCpuFlag", params: {} },
      });
  });

  it("creates a VM on a copy-on-write overlay and boots the test guest to its banner", async () => {
    const progress: string[] = [];
    const started = Date.now();
    const status = await driver.create({ ...specFor(vm1, "lab,one"), accel: "kvm" }, (p) =>
      progress.push(p.message),
    );
    expect(progress).toEqual(["creating disk", "starting QEMU", "running"]);
    expect(status).toMatchObject({ id: vm1, state: "running", accel: "tcg" });
    expect(status.pid).toBeGreaterThan(1);

    const paths = resolveVmPaths(stateDir, vm1);
    const overlay = await readImageInfo(paths.disk);
    expect(overlay).toMatchObject({ format: "qcow2", backingFile: baseImage, virtualSizeBytes: 1024 ** 3 });
    expect((await stat(paths.disk)).size).toBeLessThan(1024 * 1024); // an overlay, not a copy
    const record = JSON.parse(await readFile(paths.specFile, "utf8"));
    expect(record).toMatchObject({ accel: "tcg", spec: { id: vm1, accel: "kvm" } });
    expect(record.accelNote).toMatch(/kvm requested but not usable/);

    await waitForSerialLog(paths.serialLog, (log) => log.includes(BANNER), BOOT_TIMEOUT);
    console.info(`[qemu-driver] create → banner under TCG: ${Date.now() - started} ms`);
  }, 90_000);

  it("runs commands typed on the serial socket", async () => {
    const paths = resolveVmPaths(stateDir, vm1);
    const [a, b] = [randomInt(1000, 9999), randomInt(1000, 9999)];
    // The guest computes the answer, so the echoed command line alone cannot satisfy the check.
    await typeOnSerial(paths.serialSocket, `echo SERIAL-OK-$((${a}+${b}))`);
    await waitForSerialLog(
      paths.serialLog,
      (log) => new RegExp(`^SERIAL-OK-${a + b}\\r?$`, "m").test(log),
      15_000,
    );
  }, 30_000);

  it("runs QEMU as the unprivileged user from its start, with no capabilities, under the full sandbox", async () => {
    const { pid } = (await driver.status(vm1))!;
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
    // No -runas: QEMU never changes its user, so set-uid calls are denied too (elevateprivileges=deny).
    expect(cmdline).not.toContain("-runas");
    expect(cmdline[cmdline.indexOf("-sandbox") + 1]).toBe(
      "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
    );
    expect(cmdline).not.toContain("-daemonize");
    const ids = (n: number) => [n, n, n, n].join(" ");
    expect(await readStatus(pid!)).toEqual({
      uid: ids(nobody!.uid),
      gid: ids(nobody!.gid),
      seccomp: 2, // filter mode
      capEff: "0000000000000000",
      // Started as nobody by setpriv: with -runas (root until QEMU's own setuid) the bounding set stays full.
      capBnd: "0000000000000000",
      noNewPrivs: 1,
    });
    // What QEMU made (sockets, pidfile) is in its own folder; the run directory stays root's.
    const paths = resolveVmPaths(stateDir, vm1);
    for (const file of [paths.qmpSocket, paths.serialSocket, paths.pidfile, paths.serialLog, paths.disk])
      expect((await stat(file)).uid, file).toBe(nobody!.uid);
    expect(await stat(paths.qemuDir)).toMatchObject({ uid: nobody!.uid, mode: 0o40700 });
    const runDir = await stat(paths.runDir);
    expect(runDir.uid).toBe(0);
    expect(runDir.mode & 0o022).toBe(0); // nobody may pass, not write
    expect((await stat(paths.specFile)).uid).toBe(0);
  });

  it("puts every thread of the guest in the guests' shared CPU group, not in a session group of its own", async () => {
    const { pid } = (await driver.status(vm1))!;
    const group = await openGuestCpuGroup();
    // This machine's kernel offers a cpu hierarchy the agent (root) may write; a host without one
    // would have nothing to check here, so say so loudly rather than pass.
    expect(["cgroup1", "cgroup2"]).toContain(group.kind);
    // v1: "<n>:cpu:/path" (cpu possibly listed with others); v2: "0::/path".
    const cpuHierarchy = group.kind === "cgroup1" ? /^\d+:([^:]*,)?cpu(,[^:]*)?:/ : /^0::/;
    const threads = await readdir(`/proc/${pid}/task`);
    expect(threads.length).toBeGreaterThan(1); // QEMU's vCPU and I/O threads, made after the move
    for (const tid of threads) {
      const lines = (await readFile(`/proc/${pid}/task/${tid}/cgroup`, "utf8")).split("\n");
      const line = lines.find((l) => cpuHierarchy.test(l));
      expect(line, `thread ${tid}`).toMatch(/\/educloud-guests$/);
    }
  });

  it("refuses to run QEMU as root when its user is missing, and says so in the host's facts", async () => {
    const missing = new QemuDriver({ stateDir, runAs: "educloud-no-such-user" });
    const facts = await missing.detect();
    expect(facts.available).toBe(false);
    expect(facts.reason).toMatch(/^the user educloud-no-such-user that QEMU runs as does not exist/);
    await expect(missing.create(specFor(randomUUID(), "never"))).rejects.toThrow(/does not exist/);
  });

  it("runs QEMU detached from the agent: a session of its own, alive after its creator is SIGKILLed", async () => {
    const own = await driver.status(vm1);
    expect(await readSessionId(own!.pid!)).toBe(own!.pid);

    const fixture = resolve("agents/node-agent/drivers/qemu/testing/create-vm-then-wait.ts");
    const creator = spawn(
      process.execPath,
      ["--import", "tsx", fixture, stateDir, JSON.stringify(specFor(vm2, "orphan"))],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    creator.stdout.on("data", (chunk) => (output += chunk));
    creator.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise((r) => creator.once("exit", r));
    const deadline = Date.now() + 60_000;
    while (!output.includes("CREATED") && creator.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain("CREATED");
    const created = JSON.parse(output.slice(output.indexOf("CREATED ") + 8).split("\n")[0]!);
    creator.kill("SIGKILL");
    await exited;

    // A fresh driver (an agent restart) adopts both VMs from their run directories.
    const adopted = await new QemuDriver({ stateDir }).list();
    expect(adopted).toEqual(
      expect.arrayContaining([
        { id: vm1, state: "running", pid: own!.pid, accel: "tcg" },
        { id: vm2, state: "running", pid: created.pid, accel: "tcg" },
      ]),
    );
    expect(await readPpid(created.pid)).not.toBe(creator.pid);
  }, 90_000);

  it("reports a QEMU killed with -9 as stopped and clears its stale pidfile and sockets", async () => {
    const paths = resolveVmPaths(stateDir, vm2);
    const { pid } = (await driver.status(vm2))!;
    process.kill(pid!, "SIGKILL");
    const restarted = new QemuDriver({ stateDir });
    const deadline = Date.now() + 10_000;
    while ((await restarted.status(vm2))?.state !== "stopped" && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(paths.pidfile)).toBe(true); // SIGKILL leaves it behind
    const listed = await restarted.list();
    expect(listed.find((s) => s.id === vm2)).toEqual({ id: vm2, state: "stopped", accel: "tcg" });
    expect(listed.find((s) => s.id === vm1)?.state).toBe("running");
    for (const file of [paths.pidfile, paths.qmpSocket, paths.vncSocket, paths.serialSocket])
      expect(existsSync(file), file).toBe(false);
    expect(existsSync(paths.disk)).toBe(true);

    await restarted.delete(vm2);
    expect(existsSync(paths.runDir)).toBe(false);
    expect(await restarted.status(vm2)).toBeNull();
    await restarted.delete(vm2); // deleting a missing VM is a no-op
  }, 30_000);

  it("stops the guest through ACPI, without forcing", async () => {
    const paths = resolveVmPaths(stateDir, vm1);
    const { pid } = (await driver.status(vm1))!;
    const started = Date.now();
    expect(await driver.stop(vm1, { timeoutMs: 30_000 })).toEqual({ forced: false });
    console.info(`[qemu-driver] stop via ACPI: ${Date.now() - started} ms`);
    expect(driver.lastStopMethod.get(vm1)).toBe("acpi");
    expect(await isGone(pid!)).toBe(true);
    expect(await readSerialLog(paths.serialLog)).toContain(
      "EDUCLOUD-TEST-GUEST POWEROFF (ACPI power button)",
    );
    expect(await driver.status(vm1)).toEqual({ id: vm1, state: "stopped", accel: "tcg" });
    expect(await driver.stop(vm1)).toEqual({ forced: false }); // stopping a stopped VM is a no-op
  }, 60_000);

  it("starts the stopped VM again from spec.json, keeping its disk", async () => {
    const paths = resolveVmPaths(stateDir, vm1);
    const status = await driver.start(vm1);
    expect(status).toMatchObject({ id: vm1, state: "running", accel: "tcg" });
    await waitForSerialLog(paths.serialLog, (log) => countOccurrences(log, BANNER) === 2, BOOT_TIMEOUT);
    expect(await driver.start(vm1)).toEqual(status); // starting a running VM is a no-op
  }, 90_000);

  it("reboots the guest: the banner appears once more, same QEMU process", async () => {
    const paths = resolveVmPaths(stateDir, vm1);
    const before = (await driver.status(vm1))!;
    await driver.reboot(vm1);
    await waitForSerialLog(paths.serialLog, (log) => countOccurrences(log, BANNER) === 3, BOOT_TIMEOUT);
    expect((await driver.status(vm1))?.pid).toBe(before.pid);
  }, 90_000);

  it("keeps the serial log under its cap while the guest writes, and QEMU goes on writing to it", async () => {
    const paths = resolveVmPaths(stateDir, vm1);
    const small = new QemuDriver({ stateDir, runAs: "nobody", serialLogMaxBytes: 256 });
    expect((await stat(paths.serialLog)).size).toBeGreaterThan(256);
    expect(await small.capSerialLogs()).toBe(1);
    expect(await readSerialLog(`${paths.serialLog}.1`)).toContain(BANNER);
    const n = randomInt(1000, 9999);
    await typeOnSerial(paths.serialSocket, `echo AFTER-CUT-$((${n}+1))`);
    const log = await waitForSerialLog(paths.serialLog, (l) => l.includes(`AFTER-CUT-${n + 1}`), 15_000);
    expect(log.includes("\0")).toBe(false); // QEMU appends at the new end: no hole where the old bytes were
    expect(log).not.toContain(BANNER);
  }, 30_000);

  it("forces the stop when the guest ignores the ACPI button", async () => {
    const paths = resolveVmPaths(stateDir, vm1);
    await typeOnSerial(paths.serialSocket, "killall acpid && echo ACPID-$((40+2))-GONE");
    await waitForSerialLog(paths.serialLog, (log) => /^ACPID-42-GONE\r?$/m.test(log), 15_000);
    const { pid } = (await driver.status(vm1))!;
    expect(await driver.stop(vm1, { timeoutMs: 1_500 })).toEqual({ forced: true });
    expect(driver.lastStopMethod.get(vm1)).toBe("quit");
    expect(await isGone(pid!)).toBe(true);
  }, 60_000);

  it("deletes a running VM with its run directory", async () => {
    const paths = resolveVmPaths(stateDir, vm1);
    const { pid } = await driver.start(vm1);
    await driver.delete(vm1);
    expect(existsSync(paths.runDir)).toBe(false);
    expect(await isGone(pid!)).toBe(true);
    expect(await driver.list()).toEqual([]);
  }, 60_000);

  it("refuses bad ids and explains missing or stopped VMs", async () => {
    await expect(driver.create(specFor("../escape", "x"))).rejects.toThrow(InvalidVmConfigError);
    await expect(driver.start(randomUUID())).rejects.toThrow(VmNotFoundError);
    const id = randomUUID();
    await expect(driver.reboot(id)).rejects.toThrow(VmNotRunningError);
  });

  it("fails create with qemu-img's reason for a missing base image and leaves nothing behind", async () => {
    const id = randomUUID();
    await expect(
      driver.create({ ...specFor(id, "x"), baseImagePath: join(stateDir, "missing.qcow2") }),
    ).rejects.toThrow(/qemu-img info failed: .*missing\.qcow2/);
    expect(existsSync(resolveVmPaths(stateDir, id).runDir)).toBe(false);
  });
});
