// The whole path on real parts: portal domain + controller (in this process), MariaDB, Redis/BullMQ,
// the agent as its own OS process (joined over HTTP, fetching the image over HTTP), and QEMU booting
// the test guest (software emulation where KVM is not usable).
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const storeDir = await mkdtemp(join(tmpdir(), "educloud-store-"));
process.env.IMAGE_STORE_DIR = storeDir; // read by the image route's settings, imported below

const { instances } = await import("@/db/schema");
const { startComputeStack } = await import("@/server/testing/compute-stack");
const imageRoute = await import("@/app/api/v1/agent/images/[id]/content/route");
const joinRoute = await import("@/app/api/v1/agent/join/route");
const consoleKeyRoute = await import("@/app/api/v1/agent/console-key/route");

let stack: Awaited<ReturnType<typeof startComputeStack>>;

beforeAll(async () => {
  stack = await startComputeStack({
    storeDir,
    imageRoute: imageRoute.GET as never,
    joinRoute: joinRoute.POST,
    consoleKeyRoute: consoleKeyRoute.GET,
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await rm(storeDir, { recursive: true, force: true });
}, 120_000);

/** Running, and not a zombie: a daemonised QEMU is reparented to PID 1, which may not reap it here. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

async function waitForSerial(id: string, text: string, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let log = "";
  while (Date.now() < deadline) {
    log = await readFile(join(stack.runDir(id), "serial.log"), "utf8").catch(() => "");
    if (log.includes(text)) return log;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`“${text}” did not appear in the serial log within ${timeoutMs} ms:\n${log.slice(-2000)}`);
}

describe("an instance's life on a real host", () => {
  let id: string;

  it("create → RUNNING: the QEMU process runs, QMP says running, and the guest's banner reaches its serial log", async () => {
    const created = await stack.caller.instances.create({
      name: "life-1",
      imageId: stack.imageId,
      flavorId: stack.flavorId,
    });
    expect(created.state).toBe("SCHEDULED");
    id = created.id;
    const running = await stack.waitForState(id, "RUNNING");
    expect(running.hostId).toBe(stack.hostId);
    expect(running.accel).toMatch(/^(kvm|tcg)$/);
    const status = await stack.driver.status(id);
    expect(status?.state).toBe("running");
    expect(alive(status!.pid!)).toBe(true);
    await waitForSerial(id, "EDUCLOUD-TEST-GUEST READY");
    const events = await stack.caller.instances.events({ id });
    expect(events.map((e) => e.toState).filter(Boolean)).toEqual(
      expect.arrayContaining(["SCHEDULED", "BUILDING", "RUNNING"]),
    );
  }, 180_000);

  it("kill -9 of the agent leaves the VM running; the restarted agent re-adopts it and can stop it", async () => {
    const pid = (await stack.driver.status(id))!.pid!;
    await stack.killAgentHard();
    await new Promise((r) => setTimeout(r, 1500));
    expect(alive(pid)).toBe(true); // the VM outlived its agent
    stack.startAgent();
    await new Promise((r) => setTimeout(r, 4000));
    expect((await stack.s.db.select().from(instances).where(eq(instances.id, id)))[0]!.state).toBe("RUNNING");

    await stack.caller.instances.stop({ id });
    await stack.waitForState(id, "STOPPED", 90_000);
    expect(alive(pid)).toBe(false); // the process is gone
  }, 180_000);

  it("start again → RUNNING; a VM killed while its agent is down is found stopped when the agent returns", async () => {
    await stack.caller.instances.start({ id });
    await stack.waitForState(id, "RUNNING");
    const pid = (await stack.driver.status(id))!.pid!;
    await stack.killAgentHard();
    process.kill(pid, "SIGKILL");
    stack.startAgent();
    await stack.waitForState(id, "STOPPED", 60_000);
    const events = await stack.caller.instances.events({ id });
    expect(events.some((e) => /found stopped/.test(e.message))).toBe(true);
  }, 180_000);

  it("delete → DELETED and nothing of the VM is left on disk", async () => {
    await stack.caller.instances.delete({ id });
    await stack.waitForState(id, "DELETED", 90_000);
    expect(existsSync(stack.runDir(id))).toBe(false);
  }, 120_000);

  it("a second instance of the cached image copies nothing: the base is fetched once and shared", async () => {
    const before = await readdir(join(stack.agentDir, "images"));
    expect(before).toHaveLength(1);
    const second = await stack.caller.instances.create({
      name: "life-2",
      imageId: stack.imageId,
      flavorId: stack.flavorId,
    });
    await stack.waitForState(second.id, "RUNNING");
    expect(await readdir(join(stack.agentDir, "images"))).toEqual(before);
    const events = await stack.caller.instances.events({ id: second.id });
    expect(events.some((e) => /cached on this host/.test(e.message))).toBe(true);
    await stack.caller.instances.delete({ id: second.id });
    await stack.waitForState(second.id, "DELETED", 90_000);
  }, 180_000);

  it("a second host joins with its own agent and state directory, fetches the image itself and runs instances", async () => {
    const second = await stack.addHost("second-host");
    expect(second.hostId).not.toBe(stack.hostId);
    const { hosts } = await import("@/db/schema");
    // Steer the placement: the first host has the image cached and would win otherwise.
    await stack.s.db.update(hosts).set({ enabled: false }).where(eq(hosts.id, stack.hostId));
    try {
      const vm = await stack.caller.instances.create({
        name: "on-second",
        imageId: stack.imageId,
        flavorId: stack.flavorId,
      });
      const running = await stack.waitForState(vm.id, "RUNNING");
      expect(running.hostId).toBe(second.hostId);
      expect(existsSync(join(second.stateDir, "vms", vm.id))).toBe(true);
      expect(existsSync(stack.runDir(vm.id))).toBe(false);
      const listed = await stack.caller.hosts.list();
      expect(listed.find((h) => h.id === second.hostId)).toMatchObject({
        up: true,
        used: { instanceCount: 1 },
      });
      await stack.caller.instances.delete({ id: vm.id });
      await stack.waitForState(vm.id, "DELETED", 90_000);
    } finally {
      await stack.s.db.update(hosts).set({ enabled: true }).where(eq(hosts.id, stack.hostId));
    }
  }, 180_000);

  it("a VM on the host that the portal does not know (a leftover) is removed by reconciliation", async () => {
    const { randomUUID } = await import("node:crypto");
    const { TEST_IMAGE_PATH } = await import("@/server/testing/test-image");
    const orphan = randomUUID();
    // The agent reconciles on its own schedule. Should it sweep the half-made VM while the test is still
    // making it (QEMU then finds its directory gone), the test makes it again: the point is a running one.
    for (let attempt = 1; ; attempt++) {
      try {
        await stack.driver.create({
          id: orphan,
          name: "orphan",
          vcpus: 1,
          memoryMiB: 64,
          diskGiB: 1,
          baseImagePath: TEST_IMAGE_PATH,
          baseImageFormat: "qcow2",
          accel: "tcg",
        });
        break;
      } catch (err) {
        if (attempt >= 3 || existsSync(stack.runDir(orphan))) throw err;
      }
    }
    const deadline = Date.now() + 30_000;
    while (existsSync(stack.runDir(orphan)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    expect(existsSync(stack.runDir(orphan))).toBe(false);
  }, 60_000);

  it("a permanent failure (an image whose checksum is wrong) puts the instance in ERROR with a readable reason", async () => {
    const { copyFile } = await import("node:fs/promises");
    const { randomUUID } = await import("node:crypto");
    const { images } = await import("@/db/schema");
    const [good] = await stack.s.db.select().from(images).where(eq(images.id, stack.imageId));
    const fakeSha = "f".repeat(64);
    await copyFile(join(storeDir, good!.sha256), join(storeDir, fakeSha)); // served, but its bytes hash to something else
    const badImage = randomUUID();
    await stack.s.db
      .insert(images)
      .values({ ...good!, id: badImage, name: "corrupt", sha256: fakeSha, familyId: badImage, version: 1 });
    const vm = await stack.caller.instances.create({
      name: "doomed",
      imageId: badImage,
      flavorId: stack.flavorId,
    });
    const failed = await stack.waitForState(vm.id, "ERROR", 60_000);
    expect(failed.errorReason).toMatch(/checksum is wrong/);
    expect(existsSync(join(stack.agentDir, "images", fakeSha))).toBe(false); // the bad download was not kept
    await stack.caller.instances.delete({ id: vm.id });
    await stack.waitForState(vm.id, "DELETED", 60_000);
  }, 120_000);
});
