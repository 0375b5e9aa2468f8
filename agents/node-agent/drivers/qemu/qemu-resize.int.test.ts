// Resize against real QEMU (TCG) and the real test guest, through the agent's job handler: a stopped
// VM gets more vCPUs, RAM and disk, and boots with them — QEMU says so over QMP and the guest sees the
// larger disk and the second CPU. A running VM and a shrinking disk are refused.
import { randomUUID } from "node:crypto";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentEventInput } from "../../../protocol/index";
import { ensureTestImage } from "@/server/testing/test-image";
import { DriverRegistry } from "../driver-registry";
import { handleJob } from "../../jobs/handle-job";
import type { JobContext } from "../../jobs/job-context";
import type { EventSender } from "../../send-events";
import { readImageInfo } from "./disk-image";
import { QemuDriver } from "./qemu-driver";
import { withQmp } from "./qmp-client";
import { killProcessesUnder } from "./testing/kill-test-vms";
import { BANNER, waitForSerialLog } from "./testing/serial-log";
import { resolveVmPaths } from "./vm-paths";

const GiB = 1024 ** 3;
let stateDir: string;
let driver: QemuDriver;
let ctx: JobContext;
const events: AgentEventInput[] = [];
const vm = randomUUID();

beforeAll(async () => {
  const baseImage = await ensureTestImage();
  stateDir = await mkdtemp(join(tmpdir(), "qr-"));
  driver = new QemuDriver({ stateDir, runAs: "nobody" });
  const drivers = new DriverRegistry([driver]);
  await drivers.detect();
  ctx = {
    hostId: randomUUID(),
    jobId: "resize-job",
    drivers,
    images: {} as JobContext["images"],
    network: {} as JobContext["network"],
    events: { send: async (e: AgentEventInput) => void events.push(e) } as unknown as EventSender,
    log: pino({ level: "silent" }),
  };
  await driver.create({
    id: vm,
    name: "resize-me",
    vcpus: 1,
    memoryMiB: 256,
    diskGiB: 1,
    baseImagePath: baseImage,
    baseImageFormat: "qcow2",
    accel: "tcg",
  });
}, 300_000);

afterAll(async () => {
  if (!stateDir) return;
  await killProcessesUnder(stateDir);
  await rm(stateDir, { recursive: true, force: true });
});

/** Types a line on the guest's serial console. */
async function typeOnSerial(socketPath: string, line: string): Promise<void> {
  const socket = connect(socketPath);
  await new Promise<void>((ok, fail) => socket.once("connect", ok).once("error", fail));
  socket.write(`${line}\n`);
  await new Promise((r) => setTimeout(r, 500));
  socket.end();
}

const resize = async (size: { vcpus: number; memoryMiB: number; diskGiB: number }) => {
  events.length = 0;
  await handleJob(ctx, "instance.resize", { instanceId: vm, ...size });
  return events.find((e) => e.type === "instance.resized") as Extract<
    AgentEventInput,
    { type: "instance.resized" }
  >;
};

describe("resize with real QEMU", () => {
  it("refuses while the VM runs, and changes nothing", async () => {
    const paths = resolveVmPaths(stateDir, vm);
    await waitForSerialLog(paths.serialLog, (log) => log.includes(BANNER), 90_000);
    const ev = await resize({ vcpus: 2, memoryMiB: 384, diskGiB: 2 });
    expect(ev).toMatchObject({
      state: "failed",
      reason: expect.stringMatching(/the VM is running: stop it before resizing/),
    });
    expect((await readImageInfo(paths.disk)).virtualSizeBytes).toBe(1 * GiB);
    expect((await driver.readSpec(vm))!.memoryMiB).toBe(256);
  }, 120_000);

  it("a stopped VM gets 2 vCPUs, 384 MiB and a 2 GiB disk, and boots with them", async () => {
    const paths = resolveVmPaths(stateDir, vm);
    await driver.stop(vm, { timeoutMs: 20_000 });
    const ev = await resize({ vcpus: 2, memoryMiB: 384, diskGiB: 2 });
    expect(ev).toMatchObject({ state: "resized", instanceId: vm, jobId: "resize-job" });
    expect(events.filter((e) => e.type === "instance.progress").length).toBeGreaterThan(0);
    expect((await readImageInfo(paths.disk)).virtualSizeBytes).toBe(2 * GiB);
    expect(await driver.readSpec(vm)).toMatchObject({ vcpus: 2, memoryMiB: 384, diskGiB: 2 });

    // Twice is once: the same job again changes nothing more.
    expect((await resize({ vcpus: 2, memoryMiB: 384, diskGiB: 2 })).state).toBe("resized");
    expect((await readImageInfo(paths.disk)).virtualSizeBytes).toBe(2 * GiB);

    const before = (await readFile(paths.serialLog, "utf8")).length;
    await driver.start(vm);
    await waitForSerialLog(paths.serialLog, (log) => log.slice(before).includes(BANNER), 90_000);
    const { memory, cpus } = await withQmp(paths.qmpSocket, async (qmp) => ({
      memory: await qmp.execute<{ "base-memory": number }>("query-memory-size-summary"),
      cpus: await qmp.execute<unknown[]>("query-cpus-fast"),
    }));
    expect(memory["base-memory"]).toBe(384 * 1024 * 1024);
    expect(cpus).toHaveLength(2);
    // The guest itself: its disk is 2 GiB (512-byte sectors) and it counts two CPUs.
    await typeOnSerial(
      paths.serialSocket,
      'echo "GUEST-DISK-$(cat /sys/block/vda/size)-CPUS-$(grep -c ^processor /proc/cpuinfo)"',
    );
    await waitForSerialLog(paths.serialLog, (log) => /^GUEST-DISK-4194304-CPUS-2\r?$/m.test(log), 20_000);
  }, 180_000);

  it("never shrinks the disk: a smaller size leaves it as it is", async () => {
    const paths = resolveVmPaths(stateDir, vm);
    await driver.stop(vm, { timeoutMs: 20_000 });
    const ev = await resize({ vcpus: 1, memoryMiB: 256, diskGiB: 1 });
    expect(ev.state).toBe("resized");
    expect((await readImageInfo(paths.disk)).virtualSizeBytes).toBe(2 * GiB);
    expect(await driver.readSpec(vm)).toMatchObject({ vcpus: 1, memoryMiB: 256, diskGiB: 2 });
  }, 60_000);
});
