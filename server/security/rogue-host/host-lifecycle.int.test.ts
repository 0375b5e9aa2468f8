// Issue 11 item 7, the rest of the host lifecycle: a revoked (or disabled) host gets no new work, and a
// host is removed only when nothing lives on it any more — then its credential is refused too.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostImages, hosts, images, instances, volumes } from "@/db/schema";
import type { Actor } from "@/server/domain/context";
import { placeInstances } from "@/server/domain/provisioning/place-instances";
import {
  callerFor,
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  testSettings,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeVolumeRow } from "@/server/testing/storage-fixtures";
import { callAgentRoute, findAgentRoutes } from "./agent-routes";
import { hostWithCredential, recordingHostChannel } from "./host-credential";

let s: TestServices;
let admin: Actor;
let flavorId: number;
let imageId: string;
beforeAll(async () => {
  s = openTestServices();
  admin = await makeUser(s, "superAdm");
  flavorId = await makeFlavor(s);
  imageId = await makeImageRow(s);
});
afterAll(() => s?.close());

const GIB = 1024;

describe("rogue-host: revoked and disabled hosts get no new work", () => {
  it("placement passes over a revoked host and a disabled one, however roomy", async () => {
    // Sizes no other test's host offers, so hosts made by other files cannot take this instance.
    // (The RBAC world's host has 256 CPUs × 4 overcommit and 4 TiB; this flavor is beyond both.)
    const flavor = { id: flavorId, vcpus: 2000, memoryMiB: 6000 * GIB, diskGiB: 1 };
    const revoked = await makeHost(s, { cpuCount: 1000, memoryMiB: 8192 * GIB });
    const disabled = await makeHost(s, { cpuCount: 1000, memoryMiB: 8192 * GIB, enabled: false });
    const plain = await makeHost(s, { cpuCount: 600, memoryMiB: 7000 * GIB });
    await callerFor(s, admin, undefined, { hostChannel: recordingHostChannel() }).hosts.revoke({
      id: revoked,
    });

    const [placed] = await placeInstances(s.db, testSettings(), {
      items: [{ id: randomUUID(), name: "big", ownerId: admin.id }],
      groupId: null,
      flavor,
      image: { id: imageId, sha256: "0".repeat(64) },
      nics: [],
      requestedBy: admin,
    });
    expect(placed!.hostId).toBe(plain);
    expect([revoked, disabled]).not.toContain(placed!.hostId);
  });

  it("an image sync to a revoked host is refused and queues nothing", async () => {
    const revoked = await makeHost(s);
    const jobs = { sent: [] as unknown[], enqueue: async (...a: unknown[]) => void jobs.sent.push(a) };
    const caller = callerFor(s, admin, undefined, { hostChannel: recordingHostChannel(), jobs });
    await caller.hosts.revoke({ id: revoked });
    await expect(caller.images.sync({ id: imageId, hostIds: [revoked] })).rejects.toMatchObject({
      message: expect.stringContaining("revoked"),
    });
    expect(jobs.sent).toEqual([]);
  });
});

describe("rogue-host: removing a host", () => {
  it("is refused while an instance or a volume lives there", async () => {
    const caller = callerFor(s, admin, undefined, { hostChannel: recordingHostChannel() });
    const withVm = await makeHost(s);
    await makeInstanceRow(s, { ownerId: admin.id, groupId: null, hostId: withVm, flavorId, imageId });
    await expect(caller.hosts.remove({ id: withVm })).rejects.toMatchObject({ code: "CONFLICT" });
    const withVolume = await makeHost(s);
    await makeVolumeRow(s, { ownerId: admin.id, groupId: null, hostId: withVolume });
    await expect(caller.hosts.remove({ id: withVolume })).rejects.toMatchObject({ code: "CONFLICT" });
    for (const id of [withVm, withVolume])
      expect(await s.db.select().from(hosts).where(eq(hosts.id, id))).toHaveLength(1);
  });

  it("removes a host whose instances and volumes are deleted: history stays, its credential is refused", async () => {
    const channel = recordingHostChannel();
    const host = await hostWithCredential(s);
    const gone = await makeInstanceRow(s, {
      ownerId: admin.id,
      groupId: null,
      hostId: host.hostId,
      flavorId,
      imageId,
      state: "DELETED",
    });
    const oldVolume = await makeVolumeRow(s, {
      ownerId: admin.id,
      groupId: null,
      hostId: host.hostId,
      state: "deleted",
    });
    const [image] = await s.db.select().from(images).where(eq(images.id, imageId));
    await s.db.insert(hostImages).values({ hostId: host.hostId, sha256: image!.sha256 });

    await callerFor(s, admin, undefined, { hostChannel: channel }).hosts.remove({ id: host.hostId });

    expect(await s.db.select().from(hosts).where(eq(hosts.id, host.hostId))).toEqual([]);
    expect(await s.db.select().from(hostImages).where(eq(hostImages.hostId, host.hostId))).toEqual([]);
    expect(await s.db.select().from(volumes).where(eq(volumes.id, oldVolume))).toEqual([]);
    const [inst] = await s.db.select().from(instances).where(eq(instances.id, gone));
    expect(inst).toMatchObject({ state: "DELETED", hostId: null });
    expect(channel.calls).toEqual([{ op: "revoke", hostId: host.hostId }]);
    for (const route of await findAgentRoutes())
      expect((await callAgentRoute(route, host.authorization)).status, route.key).toBe(401);
  });
});
