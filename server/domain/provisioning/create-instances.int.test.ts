// Batches: a class of 30 gets its 30 machines in one placement. All fit or nothing is created; a batch
// never overbooks a host, also while another batch is placed at the same moment.
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hostUsage, hosts, instances } from "@/db/schema";
import { DomainError } from "@/server/domain/errors";
import {
  contextFor,
  makeLaunchGroup,
  makeHost,
  makeUser,
  openTestServices,
  recordingJobs,
  testSettings,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { createInstances } from "./create-instances";

let s: TestServices;
let launch: Awaited<ReturnType<typeof makeLaunchGroup>>;
let reEnable: string[] = [];
let ours: string[] = [];

beforeAll(async () => {
  s = openTestServices();
  launch = await makeLaunchGroup(s);
});
afterAll(async () => {
  await s.close();
});
// Each test brings its own hosts; the rest of the run's hosts must not take instances meanwhile.
async function onlyTheseHosts(specs: { memoryMiB: number; diskFreeBytes?: number }[]): Promise<string[]> {
  const others = (await s.db.select({ id: hosts.id }).from(hosts).where(eq(hosts.enabled, true))).map(
    (h) => h.id,
  );
  if (others.length) await s.db.update(hosts).set({ enabled: false }).where(inArray(hosts.id, others));
  reEnable.push(...others);
  ours = [];
  for (const sp of specs) ours.push(await makeHost(s, { cpuCount: 4, ...sp }));
  return ours;
}
afterEach(async () => {
  if (ours.length) await s.db.update(hosts).set({ enabled: false }).where(inArray(hosts.id, ours));
  if (reEnable.length) await s.db.update(hosts).set({ enabled: true }).where(inArray(hosts.id, reEnable));
  reEnable = [];
});

async function liveOn(hostIds: string[]) {
  const rows = await s.db
    .select({
      hostId: instances.hostId,
      mem: sql<string>`SUM(${instances.memoryMiB})`,
      cpu: sql<string>`SUM(${instances.vcpus})`,
      disk: sql<string>`SUM(${instances.diskGiB})`,
      n: sql<string>`COUNT(*)`,
    })
    .from(instances)
    .where(and(inArray(instances.hostId, hostIds), ne(instances.state, "DELETED")))
    .groupBy(instances.hostId);
  return new Map(
    rows.map((r) => [
      r.hostId!,
      { mem: Number(r.mem), cpu: Number(r.cpu), disk: Number(r.disk), n: Number(r.n) },
    ]),
  );
}

async function usageOf(hostIds: string[]) {
  const rows = await s.db.select().from(hostUsage).where(inArray(hostUsage.hostId, hostIds));
  return new Map(rows.map((r) => [r.hostId, r]));
}

const names = (n: number, prefix = uniqueName("pc")) =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i + 1}` }));

describe("placing a batch", () => {
  it("places 30 instances in one batch on 3 hosts, filling each exactly to its capacity and no further", async () => {
    // 256 MiB each at 1× RAM: 8 + 10 + 12 = 30 places; vCPUs (4 × 4 = 16 per host) are not the limit.
    const hostIds = await onlyTheseHosts([{ memoryMiB: 2048 }, { memoryMiB: 2560 }, { memoryMiB: 3072 }]);
    const teacher = await makeUser(s, "powerUser", [launch.groupId]);
    const students = await Promise.all(
      Array.from({ length: 30 }, () => makeUser(s, "user", [launch.groupId])),
    );
    const jobs = recordingJobs();
    const ctx = contextFor(s, teacher, undefined, { jobs });
    const flavorId = await launch.flavor({ vcpus: 1, memoryMiB: 256 });
    const imageId = await launch.image();

    const made = await createInstances(ctx, {
      imageId,
      flavorId,
      nics: [],
      instances: students.map((u, i) => ({ name: `lab-${i + 1}`, ownerId: u.id })),
    });

    expect(made).toHaveLength(30);
    expect(made.every((m) => m.state === "SCHEDULED")).toBe(true);
    expect(new Set(made.map((m) => m.owner.id))).toEqual(new Set(students.map((u) => u.id)));
    const live = await liveOn(hostIds);
    const capacity = [2048, 2560, 3072];
    hostIds.forEach((h, i) => {
      expect(live.get(h)!.mem).toBe(capacity[i]); // full, never over
      expect(live.get(h)!.cpu).toBeLessThanOrEqual(16);
    });
    // The usage rows placement reads agree with the instances themselves.
    const usage = await usageOf(hostIds);
    for (const h of hostIds) {
      expect(usage.get(h)).toMatchObject({ memoryMiBUsed: live.get(h)!.mem, instanceCount: live.get(h)!.n });
    }
    // Each instance was handed to its own host once, with a stable job id.
    expect(jobs.sent).toHaveLength(30);
    expect(new Set(jobs.sent.map((j) => j.jobId)).size).toBe(30);
    const hostOf = new Map(made.map((m) => [m.id, m.host?.id]));
    for (const j of jobs.sent)
      expect(hostOf.get((j.data as { instanceId: string }).instanceId)).toBe(j.hostId);

    // One more does not fit anywhere now, and says why per host.
    const err = await createInstances(ctx, { imageId, flavorId, nics: [], instances: names(1) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).message).toMatch(/^No host fits: /);
    expect((err as DomainError).message.match(/not enough RAM/g)).toHaveLength(3);
  });

  it("a batch that does not fit creates nothing and gives each host's reason", async () => {
    const hostIds = await onlyTheseHosts([{ memoryMiB: 1024 }, { memoryMiB: 1024 }, { memoryMiB: 1024 }]);
    const u = await makeUser(s, "powerUser", [launch.groupId]);
    const jobs = recordingJobs();
    const ctx = contextFor(s, u, undefined, { jobs });
    const flavorId = await launch.flavor({ vcpus: 1, memoryMiB: 256 });
    const imageId = await launch.image();
    const before = await usageOf(hostIds);

    const err = await createInstances(ctx, { imageId, flavorId, nics: [], instances: names(13) }).catch(
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe("CONFLICT");
    expect((err as DomainError).message).toMatch(
      /^Only 12 of the 13 instances fit; nothing was created\. No host fits: /,
    );
    const hostNames = (await s.db.select().from(hosts).where(inArray(hosts.id, hostIds))).map((h) => h.name);
    for (const name of hostNames)
      expect((err as DomainError).message).toContain(`${name}: not enough RAM (0 of 1024 MiB free`);
    expect(await liveOn(hostIds)).toEqual(new Map());
    expect(await usageOf(hostIds)).toEqual(before);
    expect(jobs.sent).toEqual([]);
  });

  it("two batches at the same moment: one fits and is placed whole, the other is refused whole", async () => {
    const hostIds = await onlyTheseHosts([{ memoryMiB: 2560 }, { memoryMiB: 2560 }, { memoryMiB: 2560 }]);
    const u = await makeUser(s, "powerUser", [launch.groupId]);
    const jobs = recordingJobs();
    const ctx = contextFor(s, u, undefined, { jobs });
    const flavorId = await launch.flavor({ vcpus: 1, memoryMiB: 256 });
    const imageId = await launch.image();

    const results = await Promise.allSettled([
      createInstances(ctx, { imageId, flavorId, nics: [], instances: names(20) }),
      createInstances(ctx, { imageId, flavorId, nics: [], instances: names(20) }),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const live = await liveOn(hostIds);
    expect([...live.values()].reduce((n, h) => n + h.n, 0)).toBe(20);
    for (const h of hostIds) expect(live.get(h)?.mem ?? 0).toBeLessThanOrEqual(2560);
    expect(jobs.sent).toHaveLength(20);
  });

  it("the create job names the hypervisor placement chose from what the host offers, qemu first", async () => {
    const [onlyVbox, both] = await onlyTheseHosts([{ memoryMiB: 4096 }, { memoryMiB: 4096 }]);
    const offer = async (hostId: string, kinds: ("qemu" | "virtualbox")[]) => {
      const [h] = await s.db.select().from(hosts).where(eq(hosts.id, hostId));
      const facts = { ...h!.facts, hypervisors: kinds.map((kind) => ({ kind, available: true })) };
      await s.db.update(hosts).set({ facts }).where(eq(hosts.id, hostId));
    };
    await offer(onlyVbox!, ["virtualbox"]);
    await offer(both!, ["virtualbox", "qemu"]);
    const jobs = recordingJobs();
    const ctx = contextFor(s, await makeUser(s, "powerUser", [launch.groupId]), undefined, { jobs });
    const flavorId = await launch.flavor({ vcpus: 1, memoryMiB: 256 });
    await createInstances(ctx, { imageId: await launch.image(), flavorId, nics: [], instances: names(4) });
    const byHost = new Map<string, Set<unknown>>();
    for (const j of jobs.sent)
      byHost.set(
        j.hostId,
        (byHost.get(j.hostId) ?? new Set()).add((j.data as { hypervisor: unknown }).hypervisor),
      );
    expect(byHost.get(onlyVbox!)).toEqual(new Set(["virtualbox"]));
    expect(byHost.get(both!)).toEqual(new Set(["qemu"]));
  });

  it("keeps host usage in step with every way an instance leaves or changes its host", async () => {
    const [a, b] = await onlyTheseHosts([{ memoryMiB: 4096 }, { memoryMiB: 4096 }]);
    const u = await makeUser(s, "powerUser", [launch.groupId]);
    const ctx = contextFor(s, u, undefined, { jobs: recordingJobs() });
    const flavorId = await launch.flavor({ vcpus: 2, memoryMiB: 512, diskGiB: 7 });
    const made = await createInstances(ctx, {
      imageId: await launch.image(),
      flavorId,
      nics: [],
      instances: names(4),
    });
    const ids = made.map((m) => m.id);
    const check = async () => {
      const live = await liveOn([a!, b!]);
      const usage = await usageOf([a!, b!]);
      for (const h of [a!, b!])
        expect(usage.get(h)).toMatchObject({
          vcpusUsed: live.get(h)?.cpu ?? 0,
          memoryMiBUsed: live.get(h)?.mem ?? 0,
          diskGiBUsed: live.get(h)?.disk ?? 0,
          instanceCount: live.get(h)?.n ?? 0,
        });
    };
    await check();
    await s.db.update(instances).set({ progress: 50 }).where(eq(instances.id, ids[0]!)); // no change
    await check();
    await s.db.update(instances).set({ state: "DELETED" }).where(eq(instances.id, ids[0]!));
    await check();
    await s.db
      .update(instances)
      .set({ hostId: b! })
      .where(inArray(instances.id, ids.slice(1)));
    await check();
    await s.db.update(instances).set({ state: "ERROR" }).where(eq(instances.id, ids[1]!)); // still held
    await check();
    await s.db.update(instances).set({ diskGiB: 9 }).where(eq(instances.id, ids[3]!)); // a resize
    await check();
    await s.db.delete(instances).where(eq(instances.id, ids[2]!));
    await check();
    expect((await usageOf([a!])).get(a!)).toMatchObject({
      vcpusUsed: 0,
      memoryMiBUsed: 0,
      diskGiBUsed: 0,
      instanceCount: 0,
    });
  });
});

const GiB = 1024 ** 3;

describe("placement counts disk", () => {
  it("refuses a 10 TiB disk on a host with 76 GiB free, saying so for that host, and creates nothing", async () => {
    const [small] = await onlyTheseHosts([{ memoryMiB: 4096, diskFreeBytes: 76 * GiB }]);
    const jobs = recordingJobs();
    const ctx = contextFor(s, await makeUser(s, "user", [launch.groupId]), undefined, { jobs });
    const flavorId = await launch.flavor({ vcpus: 1, memoryMiB: 256, diskGiB: 10240 });
    const imageId = await launch.image();

    const err = await createInstances(ctx, { imageId, flavorId, nics: [], instances: names(1) }).catch(
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe("CONFLICT");
    const [h] = await s.db.select().from(hosts).where(eq(hosts.id, small!));
    expect((err as DomainError).message).toContain(
      `${h!.name}: not enough disk (76 of 76 GiB free, 10240 GiB needed)`,
    );
    expect(await liveOn([small!])).toEqual(new Map());
    expect(jobs.sent).toEqual([]);
  });

  it("a batch fills a host's disk exactly to the thin-provisioning ratio, and not one GiB further", async () => {
    // 100 GiB free at 2× = 200 GiB of flavor disks: 10 of 20 GiB, counting what is already there.
    const [host] = await onlyTheseHosts([{ memoryMiB: 64 * 1024, diskFreeBytes: 100 * GiB }]);
    const jobs = recordingJobs();
    const ctx = contextFor(s, await makeUser(s, "powerUser", [launch.groupId]), undefined, {
      jobs,
      settings: { ...testSettings(), diskOvercommit: 2 },
    });
    const flavorId = await launch.flavor({ vcpus: 1, memoryMiB: 64, diskGiB: 20 });
    const imageId = await launch.image();

    const tooMany = await createInstances(ctx, { imageId, flavorId, nics: [], instances: names(11) }).catch(
      (e: unknown) => e,
    );
    expect((tooMany as DomainError).message).toMatch(
      /^Only 10 of the 11 instances fit; nothing was created\. No host fits: .*not enough disk \(0 of 200 GiB free, 20 GiB needed\)/,
    );
    expect(await liveOn([host!])).toEqual(new Map());

    await createInstances(ctx, { imageId, flavorId, nics: [], instances: names(7) });
    await createInstances(ctx, { imageId, flavorId, nics: [], instances: names(3) });
    expect(await liveOn([host!])).toEqual(new Map([[host!, { mem: 640, cpu: 10, disk: 200, n: 10 }]]));
    expect((await usageOf([host!])).get(host!)).toMatchObject({ diskGiBUsed: 200 });
    const full = await createInstances(ctx, { imageId, flavorId, nics: [], instances: names(1) }).catch(
      (e: unknown) => e,
    );
    expect((full as DomainError).message).toMatch(/not enough disk \(0 of 200 GiB free, 20 GiB needed\)/);
    expect(jobs.sent).toHaveLength(10);
  });
});
