// C4–C6 through the portal on real parts: portal domain + controller here, the agent as its own process,
// QEMU (TCG) booting the test guest, MariaDB, Redis. The guest's root is an initramfs, so the marker is
// written raw into its disk (/dev/vda at 64 MiB, beyond the 32 MiB boot filesystem) and `sync`ed: a real
// write to the instance's disk, read back the same way by whichever guest boots from it later.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOnGuest } from "@/agents/node-agent/network/testing/guest-shell";
import {
  BANNER,
  countOccurrences,
  waitForSerialLog,
} from "@/agents/node-agent/drivers/qemu/testing/serial-log";
import { volumeSerial } from "@/agents/node-agent/drivers/qemu/build-volume-args";

const storeDir = await mkdtemp(join(tmpdir(), "educloud-store-"));
process.env.IMAGE_STORE_DIR = storeDir; // read by the routes' settings, imported below

const { images, instances, quotaLimits, snapshots, tasks, volumes } = await import("@/db/schema");
const { measureUsage } = await import("@/server/domain/quotas/measure-usage");
const { startComputeStack } = await import("@/server/testing/compute-stack");
const { callerFor, makeUser, testSettings } = await import("@/server/testing/fixtures");
const { makeVolumeRow } = await import("@/server/testing/storage-fixtures");
const imageRoute = await import("@/app/api/v1/agent/images/[id]/content/route");
const joinRoute = await import("@/app/api/v1/agent/join/route");
const captureRoute = await import("@/app/api/v1/agent/captures/[taskId]/route");

const MARK_MIB = 64;
let stack: Awaited<ReturnType<typeof startComputeStack>>;
let vm: string;

const guest = (id: string) => ({
  serialSocket: join(stack.runDir(id), "run", "serial.sock"),
  serialLog: join(stack.runDir(id), "serial.log"),
});
async function waitForBoot(id: string, n: number): Promise<void> {
  await waitForSerialLog(guest(id).serialLog, (log) => countOccurrences(log, BANNER) >= n, 120_000);
  await new Promise((r) => setTimeout(r, 1000)); // the serial shell starts right after the banner
}
async function writeMarker(id: string, marker: string): Promise<void> {
  const r = await runOnGuest(
    guest(id),
    `echo ${marker} | dd of=/dev/vda bs=1M seek=${MARK_MIB} conv=notrunc 2>/dev/null && sync`,
  );
  expect(r.code).toBe(0);
}
async function readMarker(id: string): Promise<string> {
  const r = await runOnGuest(
    guest(id),
    `dd if=/dev/vda bs=1M skip=${MARK_MIB} count=1 2>/dev/null | head -c 64 | tr -dc 'A-Za-z0-9-'; echo`,
  );
  return r.lines.join("");
}
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const snapshotIn = (id: string, state: string) =>
  until(
    `snapshot ${state}`,
    async () => (await stack.s.db.select().from(snapshots).where(eq(snapshots.id, id)))[0]?.state === state,
  );
const volumeIn = (id: string, state: string) =>
  until(`volume ${state}`, async () => {
    const [v] = await stack.s.db.select().from(volumes).where(eq(volumes.id, id));
    if (v?.state === "error" || (v?.errorReason && state !== "error"))
      throw new Error(`volume: ${v.errorReason}`);
    return v?.state === state ? v : undefined;
  });
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );

beforeAll(async () => {
  stack = await startComputeStack({
    storeDir,
    imageRoute: imageRoute.GET as never,
    joinRoute: joinRoute.POST,
    captureRoute: captureRoute.PUT as never,
  });
  vm = (
    await stack.caller.instances.create({
      name: "storage-1",
      imageId: stack.imageId,
      flavorId: stack.flavorId,
    })
  ).id;
  await stack.waitForState(vm, "RUNNING");
  await waitForBoot(vm, 1);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await rm(storeDir, { recursive: true, force: true });
}, 120_000);

describe("instance storage through the portal", () => {
  const kept = `SNAP-${randomBytes(4).toString("hex")}`;
  const lost = `LOST-${randomBytes(4).toString("hex")}`;

  it("snapshot, write, revert (refused while running, done when stopped): the disk is as it was at the snapshot", async () => {
    await writeMarker(vm, kept);
    const snap = await stack.caller.snapshots.create({ instanceId: vm, name: "before change" });
    await snapshotIn(snap.id, "ready");
    expect((await stack.caller.snapshots.list({ instanceId: vm }))[0]).toMatchObject({
      id: snap.id,
      state: "ready",
      sizeBytes: expect.any(Number),
    });
    await writeMarker(vm, lost);
    expect(await readMarker(vm)).toBe(lost);

    await expect(stack.caller.snapshots.revert({ id: snap.id })).rejects.toThrow(/Stop the instance first/);
    await stack.caller.instances.stop({ id: vm });
    await stack.waitForState(vm, "STOPPED", 90_000);
    await stack.caller.snapshots.revert({ id: snap.id });
    // Held while its disk is replaced: a start now is refused.
    await expect(stack.caller.instances.start({ id: vm })).rejects.toThrow(/reverting/);
    await until(
      "revert done",
      async () => (await stack.s.db.select().from(instances).where(eq(instances.id, vm)))[0]?.task === null,
    );
    expect((await stack.s.db.select().from(snapshots).where(eq(snapshots.id, snap.id)))[0]).toMatchObject({
      state: "ready",
      errorReason: null,
    });
    await stack.caller.instances.start({ id: vm });
    await stack.waitForState(vm, "RUNNING");
    await waitForBoot(vm, 2);
    expect(await readMarker(vm)).toBe(kept);

    await stack.caller.snapshots.delete({ id: snap.id });
    await snapshotIn(snap.id, "deleted");
    expect(await stack.caller.snapshots.list({ instanceId: vm })).toEqual([]);
  }, 300_000);

  it("captures the running instance into a private image (task with progress); a new instance boots from it and finds the marker", async () => {
    const marker = `CAPTURED-${randomBytes(4).toString("hex")}`;
    await writeMarker(vm, marker);
    const started = Date.now();
    const { taskId } = await stack.caller.captures.create({ instanceId: vm, name: "captured-storage-1" });
    const percents = new Set<number>();
    const task = await until(
      "capture task done",
      async () => {
        const [t] = await stack.s.db.select().from(tasks).where(eq(tasks.id, taskId));
        if (t) percents.add(t.percent);
        if (t?.state === "failed") throw new Error(`capture failed: ${t.error}`);
        return t?.state === "succeeded" ? t : undefined;
      },
      180_000,
    );
    console.log(
      `capture took ${Date.now() - started} ms; percents seen: ${[...percents].sort((a, b) => a - b).join(",")}`,
    );
    expect(task).toMatchObject({ kind: "instance.capture", percent: 100, hostId: stack.hostId });
    expect(task.bytesTotal).toBeGreaterThan(0);
    expect(task.bytesDone).toBe(task.bytesTotal);
    const [image] = await stack.s.db.select().from(images).where(eq(images.id, task.targetId!));
    expect(image).toMatchObject({ name: "captured-storage-1", visibility: "private", format: "qcow2" });
    expect(image!.sha256).toMatch(/^[a-f0-9]{64}$/);
    expect((await stack.caller.images.list({ search: image!.name })).items.map((i) => i.id)).toContain(
      image!.id,
    );

    const copy = (
      await stack.caller.instances.create({
        name: "from-capture",
        imageId: image!.id,
        flavorId: stack.flavorId,
      })
    ).id;
    await stack.waitForState(copy, "RUNNING");
    await waitForBoot(copy, 1);
    expect(await readMarker(copy)).toBe(marker);
    await stack.caller.instances.delete({ id: copy });
    await stack.waitForState(copy, "DELETED", 90_000);
  }, 360_000);

  it("volumes: create, hot-plug into the running guest (a new virtio disk), delete refused while attached, detach, delete; quota", async () => {
    const vol = await stack.caller.volumes.create({ instanceId: vm, name: "data", sizeGiB: 1 });
    await volumeIn(vol.id, "available");
    // Volumes count in the owner's disk quota with the instance's disk.
    const [inst] = await stack.s.db
      .select({ ownerId: instances.ownerId, diskGiB: instances.diskGiB })
      .from(instances)
      .where(eq(instances.id, vm));
    const ownerLimit = and(eq(quotaLimits.subject, "user"), eq(quotaLimits.subjectId, String(inst!.ownerId)));
    const used = (await measureUsage(stack.s.db, { ownerId: inst!.ownerId })).diskGiB;
    expect(used).toBeGreaterThanOrEqual(inst!.diskGiB + 1);
    await stack.s.db
      .insert(quotaLimits)
      .values({ subject: "user", subjectId: String(inst!.ownerId), diskGiB: used + 10 });
    try {
      await expect(
        stack.caller.volumes.create({ instanceId: vm, name: "too-big", sizeGiB: 100 }),
      ).rejects.toThrow(`your limit for disk (GiB) is ${used + 10}, ${used} in use; this needs 100 more`);
    } finally {
      await stack.s.db.delete(quotaLimits).where(ownerLimit);
    }

    await stack.caller.volumes.attach({ id: vol.id, instanceId: vm });
    await volumeIn(vol.id, "attached");
    const seen = await runOnGuest(
      guest(vm),
      "for i in $(seq 1 40); do [ -e /sys/block/vdb ] && break; sleep 0.5; done; grep -w vdb /proc/partitions >/dev/null && cat /sys/block/vdb/serial; echo",
    );
    expect(seen.lines[0]).toBe(volumeSerial(vol.id));
    await expect(stack.caller.volumes.delete({ id: vol.id })).rejects.toThrow(/detach it first/);

    await stack.caller.volumes.detach({ id: vol.id });
    await volumeIn(vol.id, "available");
    const gone = await runOnGuest(
      guest(vm),
      "for i in $(seq 1 20); do [ -e /sys/block/vdb ] || break; sleep 0.5; done; grep -cw vdb /proc/partitions; echo",
    );
    expect(gone.lines[0]).toBe("0");
    await stack.caller.volumes.delete({ id: vol.id });
    await volumeIn(vol.id, "deleted");
    expect((await stack.caller.volumes.list({ instanceId: vm })).map((v) => v.id)).not.toContain(vol.id);
  }, 180_000);

  it("another user cannot snapshot, capture or attach to this instance", async () => {
    const other = await makeUser(stack.s, "powerUser");
    const as = callerFor(stack.s, other, undefined, { settings: testSettings() });
    const theirs = await makeVolumeRow(stack.s, { ownerId: other.id, groupId: null, hostId: stack.hostId });
    expect(await codeOf(as.snapshots.create({ instanceId: vm, name: "mine now" }))).toBe("FORBIDDEN");
    expect(await codeOf(as.snapshots.list({ instanceId: vm }))).toBe("FORBIDDEN");
    expect(await codeOf(as.captures.create({ instanceId: vm, name: "stolen" }))).toBe("FORBIDDEN");
    expect(await codeOf(as.volumes.attach({ id: theirs, instanceId: vm }))).toBe("FORBIDDEN");
    expect(await codeOf(as.volumes.create({ instanceId: vm, name: "x", sizeGiB: 1 }))).toBe("FORBIDDEN");
  });
});
