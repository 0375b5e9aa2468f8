// The portal's rules for snapshots and volumes on real MariaDB, with the agent's reports fed in as the
// controller would apply them: quota under concurrency, one host per volume, delete refused while
// attached, late reports ignored, and what an instance's deletion does to its storage.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quotaLimits, snapshots, volumes } from "@/db/schema";
import { applyAgentEvent } from "@/server/events/agent-events";
import {
  callerFor,
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  recordingJobs,
  testSettings,
  type TestServices,
} from "@/server/testing/fixtures";
import type { Actor } from "../context";

let s: TestServices;
let owner: Actor;
let hostId: string;
let otherHostId: string;
let flavorId: number;
let imageId: string;
const jobs = recordingJobs();
const as = (actor: Actor) => callerFor(s, actor, undefined, { jobs, settings: testSettings() });
const report = (ev: Record<string, unknown>) =>
  applyAgentEvent({ db: s.db, jobs }, { at: new Date(), ...ev } as never);
const instanceOn = (host: string, state: "RUNNING" | "STOPPED" = "RUNNING") =>
  makeInstanceRow(s, { ownerId: owner.id, groupId: null, hostId: host, flavorId, imageId, state });

beforeAll(async () => {
  s = openTestServices();
  owner = await makeUser(s, "powerUser");
  hostId = await makeHost(s);
  otherHostId = await makeHost(s);
  flavorId = await makeFlavor(s);
  imageId = await makeImageRow(s);
});
afterAll(() => s?.close());

describe("volumes in the portal", () => {
  it("keeps the disk quota (instance disks + volumes) under concurrent creates: of ten 15 GiB volumes beside a 1 GiB disk against 101 GiB, exactly six fit", async () => {
    const user = await makeUser(s, "powerUser");
    await s.db.insert(quotaLimits).values({ subject: "user", subjectId: String(user.id), diskGiB: 101 });
    const vm = await makeInstanceRow(s, { ownerId: user.id, groupId: null, hostId, flavorId, imageId });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        as(user).volumes.create({ instanceId: vm, name: `v${i}`, sizeGiB: 15 }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(6);
    const refused = results
      .filter((r) => r.status === "rejected")
      .map((r) => String((r as PromiseRejectedResult).reason));
    expect(
      refused.every((m) =>
        /Quota reached: your limit for disk \(GiB\) is 101, 91 in use; this needs 15 more/.test(m),
      ),
    ).toBe(true);
    // The form shows it beside the size it asked for.
    const reason = (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason as {
      cause?: { fieldErrors?: Record<string, string> };
    };
    expect(reason.cause?.fieldErrors).toEqual({ sizeGiB: "Over quota: 91 of 101 in use." });
    // A deleted volume no longer counts.
    const one = (await as(user).volumes.list({})).find((v) => v.name.startsWith("v"))!;
    await s.db.update(volumes).set({ state: "deleted" }).where(eq(volumes.id, one.id));
    await expect(
      as(user).volumes.create({ instanceId: vm, name: "again", sizeGiB: 15 }),
    ).resolves.toMatchObject({ state: "creating" });
  });

  it("runs create → attach → detach → delete on the agent's reports; delete is refused while attached; late reports change nothing", async () => {
    const vm = await instanceOn(hostId);
    const vol = await as(owner).volumes.create({ instanceId: vm, name: "data", sizeGiB: 2 });
    expect(jobs.sent.at(-1)).toMatchObject({
      hostId,
      name: "volume.create",
      data: { volumeId: vol.id, sizeGiB: 2 },
    });
    await expect(as(owner).volumes.attach({ id: vol.id, instanceId: vm })).rejects.toThrow(
      /creating; only an available volume/,
    );
    await report({ type: "volume.state", hostId, volumeId: vol.id, state: "created", operation: "create" });

    await as(owner).volumes.attach({ id: vol.id, instanceId: vm });
    expect(jobs.sent.at(-1)).toMatchObject({
      name: "volume.attach",
      data: { volumeId: vol.id, instanceId: vm },
    });
    await report({
      type: "volume.state",
      hostId,
      volumeId: vol.id,
      state: "attached",
      operation: "attach",
      instanceId: vm,
    });
    await expect(as(owner).volumes.delete({ id: vol.id })).rejects.toThrow(/detach it first/);
    // A report from another host, or a repeated one, is ignored.
    await report({
      type: "volume.state",
      hostId: otherHostId,
      volumeId: vol.id,
      state: "detached",
      operation: "detach",
      instanceId: vm,
    });
    await report({ type: "volume.state", hostId, volumeId: vol.id, state: "created", operation: "create" });
    expect((await s.db.select().from(volumes).where(eq(volumes.id, vol.id)))[0]).toMatchObject({
      state: "attached",
      instanceId: vm,
    });

    await as(owner).volumes.detach({ id: vol.id });
    await report({
      type: "volume.state",
      hostId,
      volumeId: vol.id,
      state: "failed",
      operation: "detach",
      instanceId: vm,
      reason: "the guest did not release the disk",
    });
    expect((await s.db.select().from(volumes).where(eq(volumes.id, vol.id)))[0]).toMatchObject({
      state: "attached",
      errorReason: "Detach failed: the guest did not release the disk",
    });
    await as(owner).volumes.detach({ id: vol.id });
    await report({
      type: "volume.state",
      hostId,
      volumeId: vol.id,
      state: "detached",
      operation: "detach",
      instanceId: vm,
    });
    await as(owner).volumes.delete({ id: vol.id });
    await report({ type: "volume.state", hostId, volumeId: vol.id, state: "deleted", operation: "delete" });
    expect((await s.db.select().from(volumes).where(eq(volumes.id, vol.id)))[0]).toMatchObject({
      state: "deleted",
      instanceId: null,
    });
  });

  it("attaches only on the volume's own host", async () => {
    const here = await instanceOn(hostId);
    const there = await instanceOn(otherHostId);
    const vol = await as(owner).volumes.create({ instanceId: here, name: "local", sizeGiB: 1 });
    await report({ type: "volume.state", hostId, volumeId: vol.id, state: "created", operation: "create" });
    await expect(as(owner).volumes.attach({ id: vol.id, instanceId: there })).rejects.toThrow(/another host/);
  });

  it("frees the volumes and drops the snapshots of an instance once it is deleted", async () => {
    const vm = await instanceOn(hostId);
    const vol = await as(owner).volumes.create({ instanceId: vm, name: "kept", sizeGiB: 1 });
    await report({ type: "volume.state", hostId, volumeId: vol.id, state: "created", operation: "create" });
    await as(owner).volumes.attach({ id: vol.id, instanceId: vm });
    await report({
      type: "volume.state",
      hostId,
      volumeId: vol.id,
      state: "attached",
      operation: "attach",
      instanceId: vm,
    });
    const snap = await as(owner).snapshots.create({ instanceId: vm, name: "s1" });
    await report({
      type: "snapshot.state",
      hostId,
      instanceId: vm,
      snapshotId: snap.id,
      state: "created",
      operation: "create",
      sizeBytes: 123,
    });

    await as(owner).instances.delete({ id: vm });
    await report({ type: "instance.state", hostId, instanceId: vm, state: "DELETED" });
    expect((await s.db.select().from(volumes).where(eq(volumes.id, vol.id)))[0]).toMatchObject({
      state: "available",
      instanceId: null,
    });
    expect((await s.db.select().from(snapshots).where(eq(snapshots.id, snap.id)))[0]!.state).toBe("deleted");
  });
});

describe("snapshots in the portal", () => {
  it("holds a stopped instance while reverting (a start is refused) and releases it on the report, failed or not", async () => {
    const vm = await instanceOn(hostId, "STOPPED");
    const snap = await as(owner).snapshots.create({ instanceId: vm, name: "base" });
    await expect(as(owner).snapshots.revert({ id: snap.id })).rejects.toThrow(
      /creating; only a ready snapshot/,
    );
    await report({
      type: "snapshot.state",
      hostId,
      instanceId: vm,
      snapshotId: snap.id,
      state: "created",
      operation: "create",
      sizeBytes: 4096,
    });

    await as(owner).snapshots.revert({ id: snap.id });
    await expect(as(owner).instances.start({ id: vm })).rejects.toThrow(/reverting/);
    await expect(as(owner).snapshots.delete({ id: snap.id })).rejects.toThrow(/reverting; wait/);
    await report({
      type: "snapshot.state",
      hostId,
      instanceId: vm,
      snapshotId: snap.id,
      state: "failed",
      operation: "revert",
      reason: "qemu-img snapshot failed",
    });
    expect((await as(owner).snapshots.list({ instanceId: vm }))[0]).toMatchObject({
      state: "ready",
      errorReason: "Revert failed: qemu-img snapshot failed",
    });
    await as(owner).snapshots.revert({ id: snap.id });
    await report({
      type: "snapshot.state",
      hostId,
      instanceId: vm,
      snapshotId: snap.id,
      state: "reverted",
      operation: "revert",
    });
    await expect(as(owner).instances.start({ id: vm })).resolves.toMatchObject({ id: vm });
    const events = await as(owner).instances.events({ id: vm });
    expect(events.map((e) => e.message)).toEqual(
      expect.arrayContaining(["Disk reverted to snapshot “base”", "Snapshot “base” taken"]),
    );
  });

  it("refuses a revert of a running instance with the reason, and a snapshot of a busy one", async () => {
    const vm = await instanceOn(hostId, "RUNNING");
    const snap = await as(owner).snapshots.create({ instanceId: vm, name: "live" });
    await report({
      type: "snapshot.state",
      hostId,
      instanceId: vm,
      snapshotId: snap.id,
      state: "created",
      operation: "create",
    });
    await expect(as(owner).snapshots.revert({ id: snap.id })).rejects.toThrow(
      "Stop the instance first: reverting replaces its disk, which a running guest would not expect.",
    );
    await as(owner).instances.stop({ id: vm });
    await expect(as(owner).snapshots.create({ instanceId: vm, name: "busy" })).rejects.toThrow(/stopping/);
    // A snapshot that failed on the host shows why, and can be deleted.
    const bad = randomUUID();
    await s.db.insert(snapshots).values({ id: bad, instanceId: vm, name: "bad", state: "creating" });
    await report({
      type: "snapshot.state",
      hostId,
      instanceId: vm,
      snapshotId: bad,
      state: "failed",
      operation: "create",
      reason: "disk full",
    });
    expect((await s.db.select().from(snapshots).where(eq(snapshots.id, bad)))[0]).toMatchObject({
      state: "error",
      errorReason: "disk full",
    });
  });
});
