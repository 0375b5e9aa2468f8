// Resize of a stopped instance against real MariaDB: the row and its host's usage follow the new size
// at once; quota, the host's room, the state, the disk and the catalogue each refuse with their reason
// and change nothing; concurrent resizes never pass a quota; the host's report ends or undoes it.
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instanceResizedEvent } from "@/agents/protocol";
import { hostUsage, instanceEvents, instances, quotaLimits } from "@/db/schema";
import { DomainError } from "@/server/domain/errors";
import { requestInstanceAction } from "@/server/domain/instances/act-on-instance";
import { applyInstanceResized } from "@/server/domain/instances/apply-resize-event";
import { resizeInstance, listResizeChoices } from "@/server/domain/provisioning/resize-instance";
import {
  allowInCatalogue,
  contextFor,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";

let s: TestServices;
let imageId: string;
beforeAll(async () => {
  s = openTestServices();
  imageId = await makeImageRow(s);
});
afterAll(async () => {
  await s.close();
});

/** A class with a powerUser member, a small (1/256/1) and a larger flavor in its catalogue, a host. */
async function world(
  o: {
    host?: Parameters<typeof makeHost>[1];
    big?: { vcpus: number; memoryMiB: number; diskGiB: number };
    state?: "STOPPED" | "RUNNING";
  } = {},
) {
  const group = await makeGroup(s);
  const user = await makeUser(s, "powerUser", [group]);
  const hostId = await makeHost(s, o.host ?? { cpuCount: 8, memoryMiB: 8192 });
  const small = await makeFlavor(s, { vcpus: 1, memoryMiB: 256, diskGiB: 1 });
  const big = await makeFlavor(s, o.big ?? { vcpus: 2, memoryMiB: 512, diskGiB: 3 });
  await allowInCatalogue(s, group, { imageIds: [imageId], flavorIds: [small, big] });
  const id = await makeInstanceRow(s, {
    ownerId: user.id,
    groupId: group,
    hostId,
    flavorId: small,
    imageId,
    state: o.state ?? "STOPPED",
  });
  const jobs = recordingJobs();
  return { group, user, hostId, small, big, id, jobs, ctx: contextFor(s, user, undefined, { jobs }) };
}

const rowOf = async (id: string) => (await s.db.select().from(instances).where(eq(instances.id, id)))[0]!;
const usageOf = async (hostId: string) =>
  (await s.db.select().from(hostUsage).where(eq(hostUsage.hostId, hostId)))[0]!;
const sizeOf = (r: { flavorId: number; vcpus: number; memoryMiB: number; diskGiB: number }) => ({
  flavorId: r.flavorId,
  vcpus: r.vcpus,
  memoryMiB: r.memoryMiB,
  diskGiB: r.diskGiB,
});

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

/** The refused request changed nothing: same row, same host usage, no job. */
async function expectUnchanged(w: Awaited<ReturnType<typeof world>>, usageBefore: object) {
  const row = await rowOf(w.id);
  expect(sizeOf(row)).toEqual({ flavorId: w.small, vcpus: 1, memoryMiB: 256, diskGiB: 1 });
  expect(row.task).toBeNull();
  expect(await usageOf(w.hostId)).toEqual(usageBefore);
  expect(w.jobs.sent).toEqual([]);
}

const report = (w: { id: string; hostId: string }, state: "resized" | "failed", jobId: string) =>
  instanceResizedEvent.parse({
    type: "instance.resized",
    hostId: w.hostId,
    at: new Date(),
    instanceId: w.id,
    state,
    jobId,
    ...(state === "failed"
      ? {
          reason: "resize failed: qemu-img resize failed: No space left on device",
          reasonMessage: {
            code: "agent.jobFailed",
            params: { job: "resize", detail: "qemu-img resize failed: No space left on device" },
          },
        }
      : {}),
  });

describe("resize of a stopped instance", () => {
  it("within quota: the row and its host's usage take the new size at once, the job carries it, the report ends the task", async () => {
    const w = await world();
    await s.db.insert(quotaLimits).values({ subject: "user", subjectId: String(w.user.id), vcpus: 2 });
    const before = await usageOf(w.hostId);
    const view = await resizeInstance(w.ctx, { id: w.id, flavorId: w.big });
    expect(view.task).toBe("resizing");
    const row = await rowOf(w.id);
    expect(sizeOf(row)).toEqual({ flavorId: w.big, vcpus: 2, memoryMiB: 512, diskGiB: 3 });
    expect(row.state).toBe("STOPPED");
    expect(await usageOf(w.hostId)).toMatchObject({
      vcpusUsed: before.vcpusUsed + 1,
      memoryMiBUsed: before.memoryMiBUsed + 256,
      diskGiBUsed: before.diskGiBUsed + 2,
      instanceCount: before.instanceCount,
    });
    expect(w.jobs.sent).toEqual([
      {
        hostId: w.hostId,
        name: "instance.resize",
        data: { instanceId: w.id, vcpus: 2, memoryMiB: 512, diskGiB: 3 },
        jobId: `resize-${w.id}-${row.opSeq}`,
      },
    ]);
    const [asked] = await s.db
      .select()
      .from(instanceEvents)
      .where(and(eq(instanceEvents.instanceId, w.id), eq(instanceEvents.code, "resize.requested")));
    expect(asked!.actorId).toBe(w.user.id);
    expect(asked!.message).toContain(`requested by ${w.user.username}`);
    expect(asked!.message).toMatch(
      /^Resize from fl-\w+ \(1 vCPU, 256 MiB, 1 GiB\) to fl-\w+ \(2 vCPUs, 512 MiB, 3 GiB\)/,
    );

    // Nothing starts it while the host works on it.
    expect((await refusal(requestInstanceAction(w.ctx, w.id, "start"))).kind).toBe("CONFLICT");
    await applyInstanceResized(s.db, report(w, "resized", `resize-${w.id}-${row.opSeq}`));
    const done = await rowOf(w.id);
    expect(done.task).toBeNull();
    expect(sizeOf(done)).toEqual({ flavorId: w.big, vcpus: 2, memoryMiB: 512, diskGiB: 3 });
    const codes = (
      await s.db
        .select({ code: instanceEvents.code })
        .from(instanceEvents)
        .where(eq(instanceEvents.instanceId, w.id))
    ).map((e) => e.code);
    expect(codes).toContain("resize.done");
  });

  it("a smaller flavor (same disk) needs no quota and gives room back", async () => {
    const w = await world({ big: { vcpus: 1, memoryMiB: 128, diskGiB: 1 } });
    // Already over a limit set after the fact: shrinking must still be allowed.
    await s.db.insert(quotaLimits).values({ subject: "user", subjectId: String(w.user.id), ramMiB: 100 });
    const before = await usageOf(w.hostId);
    await resizeInstance(w.ctx, { id: w.id, flavorId: w.big });
    expect((await usageOf(w.hostId)).memoryMiBUsed).toBe(before.memoryMiBUsed - 128);
  });

  it("beyond quota: refused naming the quota, its limit and the use; nothing changes", async () => {
    const w = await world();
    await s.db.insert(quotaLimits).values({ subject: "user", subjectId: String(w.user.id), ramMiB: 300 });
    const before = await usageOf(w.hostId);
    const err = await refusal(resizeInstance(w.ctx, { id: w.id, flavorId: w.big }));
    expect(err.kind).toBe("FORBIDDEN");
    expect(err.message).toMatch(/your limit for RAM \(MiB\) is 300, 256 in use; this needs 256 more/);
    await expectUnchanged(w, before);
  });

  it("beyond the group's quota: refused naming the group", async () => {
    const w = await world();
    await s.db.insert(quotaLimits).values({ subject: "group", subjectId: String(w.group), diskGiB: 2 });
    const before = await usageOf(w.hostId);
    const err = await refusal(resizeInstance(w.ctx, { id: w.id, flavorId: w.big }));
    expect(err.message).toMatch(/group .*'s limit for disk \(GiB\) is 2, 1 in use; this needs 2 more/);
    await expectUnchanged(w, before);
  });

  it("beyond its host's capacity: refused naming the host and why; nothing changes", async () => {
    // 700 MiB of RAM (overcommit 1): 256 held; the larger flavor needs 768 more than the instance has.
    const w = await world({
      host: { cpuCount: 8, memoryMiB: 700 },
      big: { vcpus: 1, memoryMiB: 1024, diskGiB: 1 },
    });
    const before = await usageOf(w.hostId);
    const err = await refusal(resizeInstance(w.ctx, { id: w.id, flavorId: w.big }));
    expect(err.kind).toBe("CONFLICT");
    expect(err.message).toMatch(
      /The instance's host cannot take the new size now: host-\w+: not enough RAM \(444 of 700 MiB free, 768 MiB needed\)/,
    );
    expect(err.details?.[0]?.message.code).toBe("scheduler.notEnoughRam");
    await expectUnchanged(w, before);
  });

  it("a host that is down cannot do it: refused naming the host, even for a smaller flavor", async () => {
    const w = await world({
      host: { cpuCount: 8, memoryMiB: 8192, up: false },
      big: { vcpus: 1, memoryMiB: 128, diskGiB: 1 },
    });
    const before = await usageOf(w.hostId);
    const err = await refusal(resizeInstance(w.ctx, { id: w.id, flavorId: w.big }));
    expect(err.message).toMatch(
      /The instance's host cannot take the new size now: host-\w+: down \(no recent heartbeat\)/,
    );
    await expectUnchanged(w, before);
  });

  it("a running instance is refused: stop it first", async () => {
    const w = await world({ state: "RUNNING" });
    const err = await refusal(resizeInstance(w.ctx, { id: w.id, flavorId: w.big }));
    expect(err.kind).toBe("CONFLICT");
    expect(err.message).toMatch(
      /Only a stopped instance can be resized; this one is running\. Stop it first\./,
    );
    expect(w.jobs.sent).toEqual([]);
  });

  it("a smaller disk is refused: disks grow, never shrink", async () => {
    const w = await world({ big: { vcpus: 4, memoryMiB: 1024, diskGiB: 1 } });
    await s.db.update(instances).set({ diskGiB: 3 }).where(eq(instances.id, w.id));
    const err = await refusal(resizeInstance(w.ctx, { id: w.id, flavorId: w.big }));
    expect(err.message).toMatch(
      /smaller disk \(1 GiB\) than the instance \(3 GiB\); a disk can grow but never shrink/,
    );
    expect(err.fieldMessages?.flavorId?.code).toBe("resize.diskShrinks");
    expect((await rowOf(w.id)).vcpus).toBe(1);
    expect(w.jobs.sent).toEqual([]);
  });

  it("a flavor outside the group's catalogue is refused (and not offered); superAdm may choose it", async () => {
    const w = await world();
    const elsewhere = await makeFlavor(s, { vcpus: 2, memoryMiB: 512, diskGiB: 2 });
    const err = await refusal(resizeInstance(w.ctx, { id: w.id, flavorId: elsewhere }));
    expect(err.kind).toBe("FORBIDDEN");
    expect(err.message).toMatch(/is not in the catalogue of group/);
    expect((await rowOf(w.id)).flavorId).toBe(w.small);
    const offered = await listResizeChoices(w.ctx, w.id);
    expect(offered.flavors.map((f) => f.id)).toEqual([w.big]);
    expect(offered.current).toMatchObject({ id: w.small, vcpus: 1, memoryMiB: 256, diskGiB: 1 });

    const admin = await makeUser(s, "superAdm");
    await resizeInstance(contextFor(s, admin), { id: w.id, flavorId: elsewhere });
    expect((await rowOf(w.id)).flavorId).toBe(elsewhere);
  });

  it("concurrent resizes never pass a quota: exactly as many as the limit allows", async () => {
    const w = await world();
    const more = await Promise.all(
      Array.from({ length: 9 }, () =>
        makeInstanceRow(s, {
          ownerId: w.user.id,
          groupId: w.group,
          hostId: w.hostId,
          flavorId: w.small,
          imageId,
          state: "STOPPED",
        }),
      ),
    );
    const all = [w.id, ...more];
    // 10 vCPUs in use; 13 allowed: three resizes from 1 to 2 vCPUs fit, the fourth would pass it.
    await s.db.insert(quotaLimits).values({ subject: "user", subjectId: String(w.user.id), vcpus: 13 });
    const results = await Promise.allSettled(
      all.map((id) => resizeInstance(contextFor(s, w.user), { id, flavorId: w.big })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const rows = await s.db.select().from(instances).where(inArray(instances.id, all));
    expect(rows.reduce((n, r) => n + r.vcpus, 0)).toBe(13);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((refused.reason as Error).message).toMatch(
      /your limit for vCPUs is 13, 13 in use; this needs 1 more/,
    );
  }, 30_000);

  it("two resizes of one instance at once: one wins, the other is told the instance is busy", async () => {
    const w = await world();
    const results = await Promise.allSettled([
      resizeInstance(w.ctx, { id: w.id, flavorId: w.big }),
      resizeInstance(w.ctx, { id: w.id, flavorId: w.big }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const before = await usageOf(w.hostId);
    expect((await rowOf(w.id)).vcpus).toBe(2);
    expect(before.vcpusUsed).toBe(2);
  });

  it("a failed resize puts the size before back (row and host usage); a late report of it changes nothing", async () => {
    const w = await world();
    const before = await usageOf(w.hostId);
    await resizeInstance(w.ctx, { id: w.id, flavorId: w.big });
    const { opSeq } = await rowOf(w.id);
    // A report naming another (older) job is not this resize's.
    await applyInstanceResized(s.db, report(w, "failed", `resize-${w.id}-${opSeq - 1}`));
    expect((await rowOf(w.id)).task).toBe("resizing");

    await applyInstanceResized(s.db, report(w, "failed", `resize-${w.id}-${opSeq}`));
    const row = await rowOf(w.id);
    expect(sizeOf(row)).toEqual({ flavorId: w.small, vcpus: 1, memoryMiB: 256, diskGiB: 1 });
    expect(row.task).toBeNull();
    expect(await usageOf(w.hostId)).toEqual(before);
    const [failed] = await s.db
      .select()
      .from(instanceEvents)
      .where(and(eq(instanceEvents.instanceId, w.id), eq(instanceEvents.code, "resize.failed")));
    expect(failed!.message).toMatch(
      /Resize failed; the instance keeps fl-\w+: qemu-img resize failed: No space left on device/,
    );

    await applyInstanceResized(s.db, report(w, "resized", `resize-${w.id}-${opSeq}`));
    expect(sizeOf(await rowOf(w.id))).toEqual({ flavorId: w.small, vcpus: 1, memoryMiB: 256, diskGiB: 1 });
  });

  it("when the job cannot be queued, nothing stays changed", async () => {
    const w = await world();
    const before = await usageOf(w.hostId);
    const ctx = contextFor(s, w.user, undefined, {
      jobs: {
        enqueue: () => Promise.reject(new Error("Redis is down")),
      },
    });
    const err = await refusal(resizeInstance(ctx, { id: w.id, flavorId: w.big }));
    expect(err.kind).toBe("UNAVAILABLE");
    const row = await rowOf(w.id);
    expect(sizeOf(row)).toEqual({ flavorId: w.small, vcpus: 1, memoryMiB: 256, diskGiB: 1 });
    expect(row.task).toBeNull();
    expect(await usageOf(w.hostId)).toEqual(before);
  });
});
