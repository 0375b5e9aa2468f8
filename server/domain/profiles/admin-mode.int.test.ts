// Admin mode on real parts (as captures/instance-storage.int.test.ts): portal domain + controller here,
// the agent as its own process, QEMU (TCG) booting the test guest, MariaDB, Redis. A marker written into
// the admin machine's disk is published as the profile's version 2: a machine started from the current
// version afterwards finds it, one started from version 1 does not, and the admin machine is deleted.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOnGuest } from "@/agents/node-agent/network/testing/guest-shell";
import {
  BANNER,
  countOccurrences,
  waitForSerialLog,
} from "@/agents/node-agent/drivers/qemu/testing/serial-log";

const storeDir = await mkdtemp(join(tmpdir(), "educloud-store-"));
process.env.IMAGE_STORE_DIR = storeDir; // read by the routes' settings, imported below

const { images, instances, tasks } = await import("@/db/schema");
const { startComputeStack } = await import("@/server/testing/compute-stack");
const imageRoute = await import("@/app/api/v1/agent/images/[id]/content/route");
const joinRoute = await import("@/app/api/v1/agent/join/route");
const captureRoute = await import("@/app/api/v1/agent/captures/[taskId]/route");

const MARK_MIB = 64;
let stack: Awaited<ReturnType<typeof startComputeStack>>;

const guest = (id: string) => ({
  serialSocket: join(stack.runDir(id), "run", "serial.sock"),
  serialLog: join(stack.runDir(id), "serial.log"),
});
async function boot(id: string): Promise<void> {
  await stack.waitForState(id, "RUNNING");
  await waitForSerialLog(guest(id).serialLog, (log) => countOccurrences(log, BANNER) >= 1, 120_000);
  await new Promise((r) => setTimeout(r, 1000)); // the serial shell starts right after the banner
}
async function readMarker(id: string): Promise<string> {
  const r = await runOnGuest(
    guest(id),
    `dd if=/dev/vda bs=1M skip=${MARK_MIB} count=1 2>/dev/null | head -c 64 | tr -dc 'A-Za-z0-9-'; echo`,
  );
  return r.lines.join("");
}
async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 180_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  stack = await startComputeStack({
    storeDir,
    imageRoute: imageRoute.GET as never,
    joinRoute: joinRoute.POST,
    captureRoute: captureRoute.PUT as never,
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await rm(storeDir, { recursive: true, force: true });
}, 120_000);

describe("admin mode on the real stack", () => {
  it("publishes the admin machine's disk as version 2: started from it a guest finds the marker, from version 1 not", async () => {
    const api = stack.caller;
    const profile = await api.profiles.create({
      name: "admin-mode-lab",
      groupId: null,
      imageId: stack.imageId,
      flavorId: stack.flavorId,
    });
    const started = await api.profiles.startAdminMode({ id: profile.id });
    const adminId = started.adminInstanceId!;
    await boot(adminId);
    const marker = `PUBLISHED-${randomBytes(4).toString("hex")}`;
    const w = await runOnGuest(
      guest(adminId),
      `echo ${marker} | dd of=/dev/vda bs=1M seek=${MARK_MIB} conv=notrunc 2>/dev/null && sync`,
    );
    expect(w.code).toBe(0);

    const { taskId } = await api.profiles.publishAdminMode({ id: profile.id, note: "marker written" });
    const task = await until("publish capture", async () => {
      const [t] = await stack.s.db.select().from(tasks).where(eq(tasks.id, taskId));
      if (t?.state === "failed") throw new Error(`capture failed: ${t.error}`);
      return t?.state === "succeeded" ? t : undefined;
    });
    const view = await api.profiles.get({ id: profile.id });
    expect(view).toMatchObject({ currentVersion: 2, adminInstanceId: null });
    expect(view.versions[0]).toMatchObject({ version: 2, note: "marker written", imageId: task.targetId });
    const [img] = await stack.s.db.select().from(images).where(eq(images.id, task.targetId!));
    expect(img).toMatchObject({ familyId: stack.imageId, version: 2 });
    await stack.waitForState(adminId, "DELETED", 90_000);

    // Started from the current version: the marker is there; from version 1: it is not.
    const fresh = await api.instances.create({
      name: "from-v2",
      imageId: view.currentImage.id,
      flavorId: stack.flavorId,
    });
    const old = await api.instances.create({
      name: "from-v1",
      imageId: stack.imageId,
      flavorId: stack.flavorId,
    });
    await boot(fresh.id);
    await boot(old.id);
    expect(await readMarker(fresh.id)).toBe(marker);
    expect(await readMarker(old.id)).not.toBe(marker);
    for (const id of [fresh.id, old.id]) await api.instances.delete({ id });
    for (const id of [fresh.id, old.id]) await stack.waitForState(id, "DELETED", 90_000);
    const [gone] = await stack.s.db.select().from(instances).where(eq(instances.id, adminId));
    expect(gone!.kind).toBe("admin");
  }, 600_000);
});
