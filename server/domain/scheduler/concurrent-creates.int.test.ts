// 30 users press "Launch" at the same moment against one small host: the host is never overbooked,
// and every refused request says why.
import { TRPCError } from "@trpc/server";
import { and, eq, ne, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hosts, instances } from "@/db/schema";
import {
  callerFor,
  makeLaunchGroup,
  makeHost,
  makeUser,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";

let s: TestServices;
let launch: Awaited<ReturnType<typeof makeLaunchGroup>>;
let disabledOthers: string[] = [];
let hostId: string;

beforeAll(async () => {
  s = openTestServices();
  launch = await makeLaunchGroup(s);
  // Only our small host may take instances in this test.
  disabledOthers = (await s.db.select({ id: hosts.id }).from(hosts).where(eq(hosts.enabled, true))).map(
    (h) => h.id,
  );
  if (disabledOthers.length) await s.db.update(hosts).set({ enabled: false }).where(eq(hosts.enabled, true));
  hostId = await makeHost(s, { cpuCount: 1, memoryMiB: 1024 }); // 4 vCPUs at 4× overcommit, 1024 MiB at 1×
});
afterAll(async () => {
  for (const id of disabledOthers) await s.db.update(hosts).set({ enabled: true }).where(eq(hosts.id, id));
  await s.close();
});

describe("concurrent creates against one small host", () => {
  it("30 at once: exactly as many as fit are placed, the rest are refused with the host's reason", async () => {
    const flavorId = await launch.flavor({ vcpus: 1, memoryMiB: 256 });
    const imageId = await launch.image();
    const jobs = recordingJobs();
    const users = await Promise.all(Array.from({ length: 30 }, () => makeUser(s, "user", [launch.groupId])));

    const results = await Promise.allSettled(
      users.map((u, i) =>
        callerFor(s, u, undefined, { jobs }).instances.create({ name: `burst-${i}`, imageId, flavorId }),
      ),
    );

    const placed = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(placed).toHaveLength(4); // 1024 MiB / 256 MiB; vCPUs (4) allow the same
    expect(refused).toHaveLength(26);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(TRPCError);
      expect((r.reason as TRPCError).code).toBe("CONFLICT");
      expect((r.reason as TRPCError).message).toMatch(/^No host fits: .*not enough (RAM|vCPUs)/);
    }
    const [sum] = await s.db
      .select({
        mem: sql<string>`SUM(${instances.memoryMiB})`,
        cpu: sql<string>`SUM(${instances.vcpus})`,
        n: sql<string>`COUNT(*)`,
      })
      .from(instances)
      .where(and(eq(instances.hostId, hostId), ne(instances.state, "DELETED")));
    expect(Number(sum!.mem)).toBeLessThanOrEqual(1024);
    expect(Number(sum!.cpu)).toBeLessThanOrEqual(4);
    expect(Number(sum!.n)).toBe(4);
    // Each placed instance was handed to the host exactly once, with a stable job id.
    expect(jobs.sent.map((j) => j.name)).toEqual(Array(4).fill("instance.create"));
    expect(new Set(jobs.sent.map((j) => j.jobId)).size).toBe(4);
  });

  it("a refused create leaves nothing behind, and a delete gives the capacity back", async () => {
    const flavorId = await launch.flavor({ vcpus: 1, memoryMiB: 256 });
    const imageId = await launch.image();
    const u = await makeUser(s, "user", [launch.groupId]);
    const c = callerFor(s, u);
    const before = (await s.db.select().from(instances).where(eq(instances.ownerId, u.id))).length;
    await expect(c.instances.create({ name: "one-too-many", imageId, flavorId })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await s.db.select().from(instances).where(eq(instances.ownerId, u.id))).length).toBe(before);

    const [victim] = await s.db
      .select()
      .from(instances)
      .where(and(eq(instances.hostId, hostId), ne(instances.state, "DELETED")))
      .limit(1);
    await s.db.update(instances).set({ state: "DELETED" }).where(eq(instances.id, victim!.id));
    await expect(c.instances.create({ name: "fits-again", imageId, flavorId })).resolves.toMatchObject({
      state: "SCHEDULED",
    });
  });

  it("a disabled or silent host gets nothing", async () => {
    const flavorId = await launch.flavor({ memoryMiB: 128 });
    const imageId = await launch.image();
    await s.db.update(hosts).set({ enabled: false }).where(eq(hosts.id, hostId));
    await makeHost(s, { up: false });
    const u = await makeUser(s, "user", [launch.groupId]);
    const err = await callerFor(s, u)
      .instances.create({ name: "nowhere", imageId, flavorId })
      .catch((e: TRPCError) => e);
    expect((err as TRPCError).message).toMatch(/disabled by an administrator/);
    expect((err as TRPCError).message).toMatch(/down \(no recent heartbeat\)/);
    await s.db.update(hosts).set({ enabled: true }).where(eq(hosts.id, hostId));
  });
});
