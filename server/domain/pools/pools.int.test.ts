// Pools and desktops on the real MariaDB: the controller keeps spare desktops, replaces failed ones,
// follows the schedule, stays out of admin mode; hand-out never gives one desktop to two students;
// release resets; sign-out releases; nobody reaches another class's desktops.
import { and, eq, inArray, isNull, ne } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { hosts, instances, memberships, pools, profiles, quotaLimits, users } from "@/db/schema";
import type { Actor } from "@/server/domain/context";
import { DomainError } from "@/server/domain/errors";
import { authorize } from "@/server/domain/policies/authorize";
import { measureUsage } from "@/server/domain/quotas/measure-usage";
import {
  contextFor,
  makeHost,
  makeUser,
  openTestServices,
  recordingJobs,
  testSettings,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeClassLab as makeLabOfClass, makeLesson } from "@/server/testing/lab-fixtures";
import { openDesktop } from "../desktops/open-desktop";
import { myDesktops } from "../desktops/my-desktops";
import { releaseDesktop, releaseDesktopsOf, resetDesktop } from "../desktops/release-desktop";
import { readClassroom } from "../desktops/classroom";
import {
  dismissDesktopMessages,
  readDesktopMessages,
  sendDesktopMessage,
} from "../desktops/desktop-messages";
import { controlPools, powerOpsFree } from "./control-pools";
import { createConsoleTicket } from "../consoles/console-tickets";
import { createPool, deletePool, setPoolState } from "./manage-pools";
import { applyInstanceState } from "../instances/apply-instance-event";
import { recordInstanceEvent } from "../instances/record-event";
import { msg } from "@/common/message";

let s: TestServices;
let hostId: string;
beforeAll(async () => {
  s = openTestServices();
  // Room for every desktop these tests make, whatever else the run's hosts hold.
  hostId = await makeHost(s, { cpuCount: 64, memoryMiB: 256 * 1024 });
});
afterAll(async () => {
  await s.close();
});
// The host is live (a real agent heartbeats every few seconds): a long run must not find it down.
beforeEach(async () => {
  await s.db.update(hosts).set({ lastHeartbeatAt: new Date() }).where(eq(hosts.id, hostId));
});

// The pools this file made: its controller runs only these (other files' pools share the database).
const mine = new Set<number>();
const makeClassLab = async (...args: Parameters<typeof makeLabOfClass>) => {
  const w = await makeLabOfClass(...args);
  mine.add(w.poolId);
  return w;
};
const deps = (jobs = recordingJobs(), now?: Date) => ({
  db: s.db,
  jobs,
  settings: testSettings(),
  hostPowerOps: 64,
  now,
  poolIds: [...mine],
});
const desktopsOf = (poolId: number) =>
  s.db
    .select()
    .from(instances)
    .where(
      and(eq(instances.poolId, poolId), ne(instances.state, "DELETED"), ne(instances.state, "DELETING")),
    );
const markRunning = (ids: string[]) =>
  s.db.update(instances).set({ state: "RUNNING", task: null }).where(inArray(instances.id, ids));
const kindOf = (err: unknown) => (err instanceof DomainError ? err.kind : String(err));

describe("pool controller", () => {
  it("keeps `spare` desktops of the profile started, and replaces a failed one and one whose QEMU died", async () => {
    const w = await makeClassLab(s, { size: 4, spare: 2 });
    const jobs = recordingJobs();
    await controlPools(deps(jobs));
    let ds = await desktopsOf(w.poolId);
    expect(ds).toHaveLength(2);
    for (const d of ds) {
      expect(d).toMatchObject({
        kind: "desktop",
        profileId: w.profileId,
        profileVersion: 1,
        throwaway: true,
      });
      expect(d.imageId).toBe(w.imageId);
      expect(d.groupId).toBe(w.groupId);
      expect(d.assignedTo).toBeNull();
    }
    // Counted for this pool's desktops only: the controller also serves pools other files left behind.
    const mine = new Set(ds.map((d) => d.id));
    expect(
      jobs.sent.filter(
        (j) => j.name === "instance.create" && mine.has((j.data as { instanceId: string }).instanceId),
      ),
    ).toHaveLength(2);
    await markRunning(ds.map((d) => d.id));
    await controlPools(deps());
    expect(await desktopsOf(w.poolId)).toHaveLength(2);

    // One fails, one's QEMU dies (the host reports STOPPED while nothing asked it to stop).
    await s.db.update(instances).set({ state: "ERROR" }).where(eq(instances.id, ds[0]!.id));
    await s.db.update(instances).set({ state: "STOPPED", task: null }).where(eq(instances.id, ds[1]!.id));
    const broken = ds.map((d) => d.id);
    const r = await controlPools(deps());
    expect(r.replaced).toBe(2);
    ds = await desktopsOf(w.poolId);
    expect(ds).toHaveLength(2);
    for (const d of ds) {
      expect(broken).not.toContain(d.id);
      expect(d.state).toBe("SCHEDULED");
    }
    // The broken ones are never handed out: they are being deleted.
    const gone = await s.db.select().from(instances).where(inArray(instances.id, broken));
    for (const g of gone) expect(g.state).toBe("DELETING");
  });

  it("keeps a desktop stopped on purpose (STOPPING → STOPPED) and replaces one found stopped (RUNNING → STOPPED)", async () => {
    const w = await makeClassLab(s, { size: 2, spare: 2 });
    await controlPools(deps());
    const [asked, died] = await desktopsOf(w.poolId);
    await markRunning([asked!.id, died!.id]);
    await s.db
      .update(instances)
      .set({ state: "STOPPED", task: null })
      .where(inArray(instances.id, [asked!.id, died!.id]));
    await recordInstanceEvent(s.db, {
      instanceId: asked!.id,
      kind: "state",
      message: msg("events.nowState", { state: "STOPPED", accel: "none" }),
      fromState: "STOPPING",
      toState: "STOPPED",
    });
    await recordInstanceEvent(s.db, {
      instanceId: died!.id,
      kind: "state",
      message: msg("events.foundStopped"),
      fromState: "RUNNING",
      toState: "STOPPED",
    });
    expect((await controlPools(deps())).replaced).toBe(1);
    const ids = (await desktopsOf(w.poolId)).map((d) => d.id);
    expect(ids).toContain(asked!.id);
    expect(ids).not.toContain(died!.id);
  });

  it("warms to the full size for a lesson and shrinks to the idle size after it", async () => {
    const w = await makeClassLab(s, { size: 5, spare: 5 });
    await s.db.update(pools).set({ idleSize: 1 }).where(eq(pools.id, w.poolId));
    // Tuesday 10:00–11:30 with 10 minutes' warm-up, in the server's time zone.
    await makeLesson(s, { labId: w.labId, weekday: 2, startMinute: 600, endMinute: 690, warmMinutes: 10 });
    const before = new Date(2026, 11, 8, 9, 0);
    const warm = new Date(2026, 11, 8, 9, 55);
    const after = new Date(2026, 11, 8, 12, 0);
    await controlPools(deps(recordingJobs(), before));
    expect(await desktopsOf(w.poolId)).toHaveLength(1);
    await controlPools(deps(recordingJobs(), warm));
    const all = await desktopsOf(w.poolId);
    expect(all).toHaveLength(5);
    await markRunning(all.map((d) => d.id));
    // Made over a minute ago (a desktop just made for a student is never taken as surplus).
    await s.db
      .update(instances)
      .set({ createdAt: new Date(Date.now() - 120_000) })
      .where(eq(instances.poolId, w.poolId));
    await controlPools(deps(recordingJobs(), after));
    expect(await desktopsOf(w.poolId)).toHaveLength(1);
  });

  it("counts a host's desktops being built, started or reset against its power-operation limit", async () => {
    const w = await makeClassLab(s, { size: 3, spare: 3 });
    await controlPools(deps());
    // A limit high enough that what other tests left on the host does not clamp it at 0.
    const free = async () => (await powerOpsFree(s.db, testSettings(), 1000)).get(hostId)!;
    await s.db.update(instances).set({ state: "RUNNING", task: null }).where(eq(instances.poolId, w.poolId));
    const before = await free();
    await s.db.update(instances).set({ hostId, state: "BUILDING" }).where(eq(instances.poolId, w.poolId));
    expect(await free()).toBe(before - 3);
    await s.db
      .update(instances)
      .set({ state: "RUNNING", task: "resetting" })
      .where(eq(instances.poolId, w.poolId));
    expect(await free()).toBe(before - 3);
    await s.db.update(instances).set({ state: "RUNNING", task: null }).where(eq(instances.poolId, w.poolId));
    expect(await free()).toBe(before);
  });

  it("starts no desktop of a profile in admin mode", async () => {
    const w = await makeClassLab(s, { size: 3, spare: 3 });
    await s.db
      .update(profiles)
      .set({ adminInstanceId: "00000000-0000-4000-8000-000000000000" })
      .where(eq(profiles.id, w.profileId));
    await controlPools(deps());
    expect(await desktopsOf(w.poolId)).toHaveLength(0);
    // Nor through the hand-out's "make one for me": the placement refuses under the profile's lock.
    const err = await openDesktop(contextFor(s, w.students[0]!), w.labId).catch((e: unknown) => e);
    expect(kindOf(err)).toBe("CONFLICT");
    expect(await desktopsOf(w.poolId)).toHaveLength(0);
  });

  it("no reset while the profile is in admin mode (a reset starts the desktop); a release then takes it away", async () => {
    const w = await makeClassLab(s, { size: 2, spare: 2 });
    await controlPools(deps());
    const [a, b] = await desktopsOf(w.poolId);
    await markRunning([a!.id, b!.id]);
    await s.db
      .update(instances)
      .set({ state: "STOPPED", assignedTo: w.students[0]!.id })
      .where(eq(instances.id, a!.id));
    await s.db.update(instances).set({ assignedTo: w.students[1]!.id }).where(eq(instances.id, b!.id));
    await s.db
      .update(profiles)
      .set({ adminInstanceId: "00000000-0000-4000-8000-000000000000" })
      .where(eq(profiles.id, w.profileId));
    const jobs = recordingJobs();
    const err = await resetDesktop(contextFor(s, w.students[0]!, "127.0.0.1", { jobs }), a!.id).catch(
      (e: unknown) => e,
    );
    expect(kindOf(err)).toBe("CONFLICT");
    expect((await s.db.select().from(instances).where(eq(instances.id, a!.id)))[0]).toMatchObject({
      state: "STOPPED",
      task: null,
    });
    await releaseDesktop(contextFor(s, w.students[1]!, "127.0.0.1", { jobs }), b!.id);
    expect((await s.db.select().from(instances).where(eq(instances.id, b!.id)))[0]!.state).toBe("DELETING");
    expect(jobs.sent.map((j) => j.name)).toEqual(["instance.delete"]);
  });

  it("stopping a pool takes its spare desktops away and leaves the assigned ones; deleting takes all", async () => {
    const w = await makeClassLab(s, { size: 3, spare: 3 });
    await controlPools(deps());
    await markRunning((await desktopsOf(w.poolId)).map((d) => d.id));
    const { instanceId } = await openDesktop(contextFor(s, w.students[0]!), w.labId);
    const teacher = contextFor(s, w.teacher);
    await setPoolState(teacher, w.poolId, "stopped");
    await controlPools(deps());
    expect((await desktopsOf(w.poolId)).map((d) => d.id)).toEqual([instanceId]);
    const res = await deletePool(teacher, w.poolId);
    expect(res.desktops).toBe(1);
    expect(await desktopsOf(w.poolId)).toHaveLength(0);
    expect(await s.db.select().from(pools).where(eq(pools.id, w.poolId))).toHaveLength(0);
  });

  it("a pool is made only for a profile of the lab, within its seats", async () => {
    const w = await makeClassLab(s, { seats: 10, running: false });
    const ctx = contextFor(s, w.teacher);
    const other = await makeClassLab(s);
    await expect(
      createPool(ctx, { labId: w.labId, profileId: other.profileId, size: 2, spare: 1, idleSize: 0 }),
    ).rejects.toMatchObject({ kind: "INVALID" });
    await s.db.delete(pools).where(eq(pools.id, w.poolId));
    await expect(
      createPool(ctx, { labId: w.labId, profileId: w.profileId, size: 11, spare: 1, idleSize: 0 }),
    ).rejects.toMatchObject({ kind: "INVALID" });
    await expect(
      createPool(ctx, { labId: w.labId, profileId: w.profileId, size: 5, spare: 6, idleSize: 0 }),
    ).rejects.toMatchObject({ kind: "INVALID" });
    // Another class's teacher may not.
    await expect(
      createPool(contextFor(s, other.teacher), {
        labId: w.labId,
        profileId: w.profileId,
        size: 5,
        spare: 1,
        idleSize: 0,
      }),
    ).rejects.toMatchObject({ kind: "FORBIDDEN" });
    const pool = await createPool(ctx, {
      labId: w.labId,
      profileId: w.profileId,
      size: 10,
      spare: 2,
      idleSize: 0,
    });
    expect(pool).toMatchObject({ size: 10, spare: 2, state: "stopped" });
  });
});

describe("hand-out, release, sign-out", () => {
  it("with no spare desktop but room in the pool, one is made for the student (BUILDING)", async () => {
    const w = await makeClassLab(s, { size: 1, spare: 0 });
    const jobs = recordingJobs();
    const got = await openDesktop(contextFor(s, w.students[0]!, "127.0.0.1", { jobs }), w.labId);
    expect(got).toMatchObject({ state: "SCHEDULED", made: true });
    const [row] = await s.db.select().from(instances).where(eq(instances.id, got.instanceId));
    expect(row).toMatchObject({ assignedTo: w.students[0]!.id, kind: "desktop", poolId: w.poolId });
    expect(jobs.sent.map((j) => j.name)).toEqual(["instance.create"]);
    // The pool is full now: the next student is told so, nothing more is made.
    const err = await openDesktop(contextFor(s, w.students[1]!), w.labId).catch((e: unknown) => e);
    expect(kindOf(err)).toBe("CONFLICT");
    expect(await desktopsOf(w.poolId)).toHaveLength(1);
  });

  it("30 students opening at once get 30 different desktops", async () => {
    const w = await makeClassLab(s, { students: 30, size: 30, spare: 30 });
    await controlPools(deps());
    const ds = await desktopsOf(w.poolId);
    expect(ds).toHaveLength(30);
    await markRunning(ds.map((d) => d.id));
    const got = await Promise.all(w.students.map((st) => openDesktop(contextFor(s, st), w.labId)));
    expect(new Set(got.map((g) => g.instanceId)).size).toBe(30);
    for (const g of got) expect(g).toMatchObject({ state: "RUNNING", made: false });
    const rows = await desktopsOf(w.poolId);
    const byDesktop = new Map(rows.map((r) => [r.id, r.assignedTo]));
    for (const [i, g] of got.entries()) expect(byDesktop.get(g.instanceId)).toBe(w.students[i]!.id);
    // Opening again returns the same desktop.
    expect((await openDesktop(contextFor(s, w.students[3]!), w.labId)).instanceId).toBe(got[3]!.instanceId);
  });

  it("release resets the desktop to the profile's version; it is spare again once running", async () => {
    const w = await makeClassLab(s, { size: 2, spare: 1 });
    await controlPools(deps());
    await markRunning((await desktopsOf(w.poolId)).map((d) => d.id));
    const student = w.students[0]!;
    const jobs = recordingJobs();
    const ctx = contextFor(s, student, "127.0.0.1", { jobs });
    const { instanceId } = await openDesktop(ctx, w.labId);
    // The student opens its console; the other student may not.
    const [row] = await s.db.select().from(instances).where(eq(instances.id, instanceId));
    expect(() => authorize(student, "consoles", "open", row!)).not.toThrow();
    expect(() => authorize(w.students[1]!, "consoles", "open", row!)).toThrow(DomainError);
    // The console ticket (request → ticket is what the hand-out bench times) is the student's, not another's.
    await expect(createConsoleTicket(ctx, { instanceId, kind: "vnc" })).resolves.toHaveProperty("ticket");
    await expect(
      createConsoleTicket(contextFor(s, w.students[1]!), { instanceId, kind: "vnc" }),
    ).rejects.toMatchObject({ kind: "FORBIDDEN" });
    // …but the assignment is not ownership: no delete through the instances policy.
    expect(() => authorize(student, "instances", "delete", row!)).toThrow(DomainError);

    await releaseDesktop(ctx, instanceId);
    const [after] = await s.db.select().from(instances).where(eq(instances.id, instanceId));
    expect(after).toMatchObject({ assignedTo: null, task: "resetting", imageId: w.imageId });
    expect(jobs.sent.find((j) => j.name === "instance.reset")?.data).toMatchObject({
      instanceId,
      image: { id: w.imageId },
    });
    // Not handed out while resetting.
    await expect(openDesktop(contextFor(s, w.students[1]!), w.labId)).resolves.not.toMatchObject({
      instanceId,
    });
    await applyInstanceState(s.db, {
      type: "instance.state",
      hostId: after!.hostId!,
      instanceId,
      state: "RUNNING",
    } as never);
    const [spare] = await s.db.select().from(instances).where(eq(instances.id, instanceId));
    expect(spare).toMatchObject({ state: "RUNNING", task: null, assignedTo: null });
  });

  it("signing out releases the user's desktops", async () => {
    const w = await makeClassLab(s, { size: 2, spare: 2 });
    await controlPools(deps());
    await markRunning((await desktopsOf(w.poolId)).map((d) => d.id));
    const { instanceId } = await openDesktop(contextFor(s, w.students[0]!), w.labId);
    expect(await releaseDesktopsOf({ db: s.db, jobs: recordingJobs() }, w.students[0]!)).toBe(1);
    const [row] = await s.db.select().from(instances).where(eq(instances.id, instanceId));
    expect(row!.assignedTo).toBeNull();
    expect(row!.task).toBe("resetting");
  });

  it("scope: another class's student, another student's desktop, only one's own in My desktops", async () => {
    const w = await makeClassLab(s, { size: 3, spare: 3 });
    const other = await makeClassLab(s);
    await controlPools(deps());
    await markRunning((await desktopsOf(w.poolId)).map((d) => d.id));
    const [a, b] = w.students as [Actor, Actor];
    const stranger = other.students[0]!;
    expect(kindOf(await openDesktop(contextFor(s, stranger), w.labId).catch((e: unknown) => e))).toBe(
      "FORBIDDEN",
    );
    const da = await openDesktop(contextFor(s, a), w.labId);
    await openDesktop(contextFor(s, b), w.labId);
    expect(kindOf(await releaseDesktop(contextFor(s, b), da.instanceId).catch((e: unknown) => e))).toBe(
      "FORBIDDEN",
    );
    expect(kindOf(await resetDesktop(contextFor(s, b), da.instanceId).catch((e: unknown) => e))).toBe(
      "FORBIDDEN",
    );
    const mine = await myDesktops(contextFor(s, a));
    expect(mine.desktops.map((d) => d.instanceId)).toEqual([da.instanceId]);
    expect(mine.labs.map((l) => l.id)).toContain(w.labId);
    expect(mine.labs.map((l) => l.id)).not.toContain(other.labId);
    // The teacher sees the classroom and writes to a's desktop; a reads and dismisses it; b cannot read it.
    const teacher = contextFor(s, w.teacher);
    const room = await readClassroom(teacher, w.labId);
    expect(room.desktops.find((d) => d.instanceId === da.instanceId)?.studentUsername).toBe(a.username);
    expect(kindOf(await readClassroom(contextFor(s, other.teacher), w.labId).catch((e: unknown) => e))).toBe(
      "FORBIDDEN",
    );
    await sendDesktopMessage(teacher, { instanceId: da.instanceId, text: "Save your work" });
    expect((await readDesktopMessages(contextFor(s, a), da.instanceId)).map((m) => m.text)).toEqual([
      "Save your work",
    ]);
    expect(kindOf(await readDesktopMessages(contextFor(s, b), da.instanceId).catch((e: unknown) => e))).toBe(
      "FORBIDDEN",
    );
    expect(
      kindOf(
        await sendDesktopMessage(contextFor(s, a), { instanceId: da.instanceId, text: "hi" }).catch(
          (e: unknown) => e,
        ),
      ),
    ).toBe("FORBIDDEN");
    expect(await dismissDesktopMessages(contextFor(s, a), { instanceId: da.instanceId })).toEqual({
      dismissed: 1,
    });
    expect(await readDesktopMessages(contextFor(s, a), da.instanceId)).toEqual([]);
    // The teacher may reset and release a student's desktop.
    await releaseDesktop(teacher, da.instanceId);
  });
});

describe("quotas", () => {
  it("the lab group's limit bounds its desktops; the teacher's own limit does not", async () => {
    const w = await makeClassLab(s, { size: 4, spare: 3 });
    await s.db.insert(quotaLimits).values([
      { subject: "group", subjectId: String(w.groupId), instances: 2 },
      { subject: "user", subjectId: String(w.teacher.id), instances: 0 },
    ]);
    // Three wanted, the group allows two: the batch is refused whole, nothing is made…
    await controlPools(deps());
    expect(await desktopsOf(w.poolId)).toHaveLength(0);
    // …and fits once the pool asks for what the group allows.
    await s.db.update(pools).set({ spare: 2 }).where(eq(pools.id, w.poolId));
    await controlPools(deps());
    expect(await desktopsOf(w.poolId)).toHaveLength(2);
  });

  it("a desktop counts against the lab's group, not the pool's owner nor the student", async () => {
    const w = await makeClassLab(s, { size: 2, spare: 2 });
    await controlPools(deps());
    await markRunning((await desktopsOf(w.poolId)).map((d) => d.id));
    await openDesktop(contextFor(s, w.students[0]!), w.labId);
    expect((await measureUsage(s.db, { groupId: w.groupId })).instances).toBe(2);
    expect((await measureUsage(s.db, { ownerId: w.teacher.id })).instances).toBe(0);
    expect((await measureUsage(s.db, { ownerId: w.students[0]!.id })).instances).toBe(0);
    const n = await s.db
      .select()
      .from(instances)
      .where(and(eq(instances.poolId, w.poolId), isNull(instances.deletedAt)));
    expect(n.every((d) => d.ownerId === w.teacher.id)).toBe(true);
  });
});

describe("who owns a pool's desktops", () => {
  it("the pool's creator; once the creator is gone or no longer teaches the class, the class's first teacher", async () => {
    const w = await makeClassLab(s, { size: 6, spare: 1, running: false });
    // A second teacher of the class (a later id than w.teacher, so never the fallback) creates the pool.
    const creator = await makeUser(s, "powerAdm", [w.groupId]);
    await s.db.delete(pools).where(eq(pools.id, w.poolId));
    const pool = await createPool(contextFor(s, creator), {
      labId: w.labId,
      profileId: w.profileId,
      size: 6,
      spare: 1,
      idleSize: 0,
    });
    mine.add(pool.id);
    expect(pool.createdBy).toBe(creator.id);
    await setPoolState(contextFor(s, creator), pool.id, "running");
    const owners = async () => {
      await controlPools(deps());
      const ds = await desktopsOf(pool.id);
      await markRunning(ds.map((d) => d.id));
      return ds;
    };
    expect((await owners()).map((d) => d.ownerId)).toEqual([creator.id]);

    // No longer an administrator of the class: the next desktop is the first teacher's.
    await s.db
      .update(memberships)
      .set({ isAdmin: false })
      .where(and(eq(memberships.userId, creator.id), eq(memberships.groupId, w.groupId)));
    await s.db.update(pools).set({ spare: 2 }).where(eq(pools.id, pool.id));
    const second = (await owners()).filter((d) => d.ownerId !== creator.id);
    expect(second.map((d) => d.ownerId)).toEqual([w.teacher.id]);

    // Deleted (possible while they own no machine): created_by becomes null, the pool keeps working.
    const v = await makeClassLab(s, { size: 2, spare: 1, running: false });
    const gone = await makeUser(s, "powerAdm", [v.groupId]);
    await s.db.update(pools).set({ createdBy: gone.id, state: "running" }).where(eq(pools.id, v.poolId));
    await s.db.delete(memberships).where(eq(memberships.userId, gone.id));
    await s.db.delete(users).where(eq(users.id, gone.id));
    const [after] = await s.db.select().from(pools).where(eq(pools.id, v.poolId));
    expect(after!.createdBy).toBeNull();
    await controlPools(deps());
    expect((await desktopsOf(v.poolId)).map((d) => d.ownerId)).toEqual([v.teacher.id]);
  });
});

describe("making a desktop across processes", () => {
  it("two portals (own module state, own connections) racing for a pool's last place make one desktop", async () => {
    // A second "process": open-desktop.ts loaded afresh (its in-process queue is its own) on its own
    // connections. Only the pool's row lock can keep the two from both taking the last place.
    const other = openTestServices();
    vi.resetModules();
    const second = (await import("../desktops/open-desktop")) as typeof import("../desktops/open-desktop");
    try {
      const labsRaced = await Promise.all(
        Array.from({ length: 8 }, () => makeClassLab(s, { size: 1, spare: 0, students: 2 })),
      );
      const outcomes = await Promise.all(
        labsRaced.map((w) =>
          Promise.allSettled([
            openDesktop(contextFor(s, w.students[0]!), w.labId),
            second.openDesktop(contextFor(other, w.students[1]!), w.labId),
          ]),
        ),
      );
      for (const [i, w] of labsRaced.entries()) {
        const made = outcomes[i]!.filter((o) => o.status === "fulfilled");
        const refused = outcomes[i]!.filter((o) => o.status === "rejected");
        expect(made).toHaveLength(1);
        // The other module instance's DomainError is another class: compare the kind, not the class.
        expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ kind: "CONFLICT" });
        expect(await desktopsOf(w.poolId)).toHaveLength(1);
      }
    } finally {
      await other.close();
    }
  });

  it("the controller (another process) and a student's hand-out racing for the last place make one desktop", async () => {
    const worker = openTestServices();
    try {
      const labsRaced = await Promise.all(
        Array.from({ length: 8 }, () => makeClassLab(s, { size: 1, spare: 1, students: 1 })),
      );
      await Promise.allSettled([
        controlPools({ ...deps(), db: worker.db }),
        ...labsRaced.map((w) => openDesktop(contextFor(s, w.students[0]!), w.labId)),
      ]);
      for (const w of labsRaced) expect(await desktopsOf(w.poolId)).toHaveLength(1);
    } finally {
      await worker.close();
    }
  });
});
