// QmpClient against a real QEMU: an empty machine (`-machine none`), so no guest has to boot.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QmpClient, QmpCommandError } from "./qmp-client";
import { spawnDaemonisedQemu } from "./spawn-qemu";
import { killProcessesUnder } from "./testing/kill-test-vms";
import { readPidfile, waitForVmProcessExit } from "./vm-process";

let dir: string;
const qmpSocket = () => join(dir, "qmp.sock");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qmp-int-"));
  await spawnDaemonisedQemu("qemu-system-x86_64", [
    "-machine",
    "none",
    "-accel",
    "tcg",
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-qmp",
    `unix:${qmpSocket()},server=on,wait=off`,
    "-daemonize",
    "-pidfile",
    join(dir, "qemu.pid"),
  ]);
});

afterAll(async () => {
  await killProcessesUnder(dir);
  await rm(dir, { recursive: true, force: true });
});

describe("QmpClient with real QEMU", () => {
  it("greets with the installed QEMU's version and answers query-status", async () => {
    const { stdout } = await promisify(execFile)("qemu-system-x86_64", ["--version"]);
    const qmp = await QmpClient.connect(qmpSocket());
    try {
      const { major, minor, micro } = qmp.greeting.version.qemu;
      expect(stdout).toContain(`version ${major}.${minor}.${micro}`);
      expect(await qmp.execute("query-status")).toMatchObject({ status: "running", running: true });
    } finally {
      qmp.close();
    }
  });

  it("reports STOP and RESUME events and the paused state", async () => {
    const qmp = await QmpClient.connect(qmpSocket());
    try {
      const stopped = qmp.waitForEvent("STOP", 5_000);
      await qmp.execute("stop");
      expect((await stopped)?.event).toBe("STOP");
      expect(await qmp.execute("query-status")).toMatchObject({ status: "paused" });
      const resumed = qmp.waitForEvent("RESUME", 5_000);
      await qmp.execute("cont");
      expect((await resumed)?.event).toBe("RESUME");
    } finally {
      qmp.close();
    }
  });

  it("passes QEMU's errors through", async () => {
    const qmp = await QmpClient.connect(qmpSocket());
    try {
      const error = await qmp.execute("no-such-command").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QmpCommandError);
      expect((error as QmpCommandError).errorClass).toBe("CommandNotFound");
      await expect(qmp.execute("query-status", { bogus: 1 })).rejects.toThrow(/GenericError/);
    } finally {
      qmp.close();
    }
  });

  it("serves the next client once the previous one closed", async () => {
    for (let i = 0; i < 3; i++) {
      const qmp = await QmpClient.connect(qmpSocket(), { timeoutMs: 2_000 });
      expect(await qmp.execute("query-status")).toMatchObject({ running: true });
      qmp.close();
    }
  });

  it("quit: QEMU exits and the connection closes", async () => {
    const pid = (await readPidfile(join(dir, "qemu.pid")))!;
    const qmp = await QmpClient.connect(qmpSocket());
    const closed = qmp.waitForClose(5_000);
    await qmp.execute("quit").catch(() => undefined); // QEMU may close before answering
    expect(await closed).toBe(true);
    expect(await waitForVmProcessExit(pid, dir, 5_000)).toBe(true);
  });
});
