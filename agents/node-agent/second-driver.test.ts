// A second hypervisor driver, registered next to a QEMU-like one, gets its own jobs, serves its own
// consoles and keeps its own base images: the job handlers, the console bridge and the image cache hold
// no QEMU assumption (no socket layout, no spec.json, no taps).
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  consoleSigningKeyFromSeed,
  exportVerifyKey,
  importVerifyKey,
  signConsoleGrant,
} from "../protocol/console-grant";
import type { NicSpec } from "../protocol/network";
import { startConsoleServer } from "./console/console-server";
import { openConsole } from "./console/testing/open-console";
import { DriverRegistry } from "./drivers/driver-registry";
import { FakeDriver } from "./drivers/testing/fake-driver";
import { ImageCache } from "./image-cache";
import { handleJob } from "./jobs/handle-job";
import { createFakeJobContext } from "./jobs/testing/fake-job-context";
import { toWorkerError } from "./jobs/to-worker-error";
import { makeNetworkSpec } from "./network/testing/network-fixtures";
import { PermanentJobError } from "./permanent-job-error";

const network = makeNetworkSpec();
const nic: NicSpec = { tap: "ectap1", mac: "02:ec:00:00:00:0a", ip: "10.20.30.10", network };
const createJob = (instanceId: string, hypervisor: string) => ({
  instanceId,
  name: "web-1",
  vcpus: 1,
  memoryMiB: 256,
  diskGiB: 1,
  hypervisor,
  nics: [nic],
  image: {
    id: "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
    sha256: "a".repeat(64),
    format: "qcow2",
    sizeBytes: 1024,
  },
});

/** The console "hypervisor" of the second driver: a TCP server (not a unix socket) that says who it is. */
let consoleServer: Server;
let consolePort: number;
beforeAll(async () => {
  consoleServer = createServer((socket) => {
    socket.on("error", () => undefined);
    socket.write("SIM-CONSOLE\n");
    socket.pipe(socket);
  });
  await new Promise<void>((r) => consoleServer.listen(0, "127.0.0.1", r));
  consolePort = (consoleServer.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => consoleServer.close(r)));

function setUp() {
  // The QEMU-like driver wants taps; the second one only the bridge, and serves consoles over TCP.
  const qemu = new FakeDriver("qemu", { nics: "tap" });
  const sim = new FakeDriver("sim", {
    nics: "bridge",
    consoles: () => ({ host: "127.0.0.1", port: consolePort }),
  });
  const drivers = new DriverRegistry(
    [qemu, sim],
    [
      { kind: "qemu", available: true, accel: { kvmUsable: true } },
      { kind: "sim", available: true },
    ],
  );
  const fake = createFakeJobContext();
  fake.ctx.drivers = drivers;
  return { ...fake, qemu, sim, drivers };
}

describe("a second driver next to QEMU", () => {
  it("gets the create jobs that name it, and every later job about its VM without the job naming it", async () => {
    const { ctx, calls, events, qemu, sim } = setUp();
    const id = randomUUID();
    await handleJob(ctx, "instance.create", createJob(id, "sim"));
    // The network is built; no tap, since this driver only needs the bridge.
    expect(calls).toEqual([`applyNetwork ${network.id} r3`]);
    expect(sim.calls).toEqual(["prepareNic ectap1", `create ${id} accel=none`]);

    calls.length = 0;
    await handleJob(ctx, "instance.stop", { instanceId: id });
    await handleJob(ctx, "instance.start", { instanceId: id });
    await handleJob(ctx, "instance.reboot", { instanceId: id });
    await handleJob(ctx, "instance.delete", { instanceId: id });
    expect(sim.calls.slice(2)).toEqual([
      `stop ${id}`,
      "prepareNic ectap1",
      `start ${id}`,
      `reboot ${id}`,
      `delete ${id}`,
      "releaseNic ectap1",
    ]);
    expect(calls).toEqual([`applyNetwork ${network.id} r3`]); // the start's; still no tap
    expect(qemu.calls).toEqual([]);
    expect(events.map((e) => e.type === "instance.state" && e.state)).toEqual([
      "BUILDING",
      "RUNNING",
      "STOPPED",
      "RUNNING",
      "RUNNING",
      "DELETED",
    ]);
  });

  it("leaves QEMU's create jobs to QEMU, with its taps and its accelerator", async () => {
    const { ctx, calls, qemu, sim } = setUp();
    const id = randomUUID();
    await handleJob(ctx, "instance.create", createJob(id, "qemu"));
    expect(qemu.calls).toEqual(["prepareNic ectap1", `create ${id} accel=kvm`]);
    expect(calls).toEqual([`applyNetwork ${network.id} r3`, "ensureTap ectap1"]);
    expect(sim.calls).toEqual([]);
  });

  it("a create for a hypervisor the host does not have fails for good, before anything is done", async () => {
    const { ctx, calls, events, qemu, sim } = setUp();
    const failed = await handleJob(ctx, "instance.create", createJob(randomUUID(), "virtualbox")).catch(
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(PermanentJobError);
    expect(toWorkerError(failed)).toMatchObject({
      name: "UnrecoverableError",
      message: "this host's agent has no virtualbox driver (it offers qemu, sim)",
    });
    expect([calls, events, qemu.calls, sim.calls]).toEqual([[], [], [], []]);
  });

  it("serves its VM's console through the console server, at the endpoint it names", async () => {
    const { drivers, sim } = setUp();
    const id = randomUUID();
    sim.vms.set(id, { spec: { id } as never, state: "running" });
    const portalKey = consoleSigningKeyFromSeed(randomBytes(32));
    const hostId = randomUUID();
    const server = await startConsoleServer({
      hostId,
      consoles: drivers,
      getVerifyKey: () => importVerifyKey(exportVerifyKey(portalKey)),
      listen: { host: "127.0.0.1", port: 0 },
      log: pino({ level: "silent" }),
    });
    try {
      const grant = signConsoleGrant(
        { hostId, instanceId: id, kind: "serial", exp: Date.now() + 15_000 },
        portalKey,
      );
      const attempt = await openConsole(server.url, grant);
      if (!attempt.ok) throw new Error(`refused: ${attempt.status} ${attempt.body}`);
      await attempt.received.waitFor((t) => t === "SIM-CONSOLE\n", 2_000);
      attempt.ws.send("hello\n");
      await attempt.received.waitFor((t) => t.endsWith("hello\n"), 2_000);
      expect(sim.calls).toEqual([`console ${id} serial`]);
      attempt.ws.close();
      await attempt.closed;
    } finally {
      await server.close();
    }
  });

  describe("and the image cache", () => {
    let dir: string;
    beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), "second-driver-"))));
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it("counts the base images its VMs use as in use", async () => {
      const { drivers, qemu, sim } = setUp();
      const cache = new ImageCache(
        dir,
        { hostId: "h", hostSecret: "s", portalUrl: "http://127.0.0.1:9" },
        { imagesInUse: () => drivers.baseImagesInUse() },
      );
      const [a, b] = ["a".repeat(64), "b".repeat(64)];
      qemu.vms.set("q", {
        spec: { id: "q", baseImagePath: cache.pathOf({ sha256: a }) } as never,
        state: "running",
      });
      sim.vms.set("s", {
        spec: { id: "s", baseImagePath: cache.pathOf({ sha256: b }) } as never,
        state: "stopped",
      });
      expect(await cache.inUse()).toEqual(new Set([a, b]));
    });
  });
});
