// Who reaches a pool's desktop, and when it goes back: the student it is assigned to while a member of the
// lab's class, the class's teachers; never its owner as such. Leaving the class (users, groups edits) or
// being disabled releases it as sign-out does; a release in admin mode takes the desktop away instead of
// starting it; the pools of a lab hold at most its seats.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instances, memberships } from "@/db/schema";
import { loadActorById } from "@/server/domain/account/load-actor";
import {
  callerFor,
  makeHost,
  makeUser,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeClassLab, makeProfileMachine } from "@/server/testing/lab-fixtures";
import { makePoolDesktop, succeeds } from "@/server/security/labs/harness";
import type { Actor } from "../context";

let s: TestServices;
let hostId: string;
let it_: Actor;
beforeAll(async () => {
  s = openTestServices();
  hostId = await makeHost(s, { cpuCount: 16, memoryMiB: 64 * 1024 });
  it_ = await makeUser(s, "superAdm");
});
afterAll(async () => {
  await s.close();
});

const rowOf = async (id: string) => (await s.db.select().from(instances).where(eq(instances.id, id)))[0]!;

/** A class lab with one running desktop assigned to each student. */
async function assignedLab(students = 2) {
  const w = await makeClassLab(s, { students });
  const desktops: string[] = [];
  for (const st of w.students)
    desktops.push(
      await makePoolDesktop(s, {
        profileId: w.profileId,
        poolId: w.poolId,
        kind: "desktop",
        ownerId: w.teacher.id,
        groupId: w.groupId,
        hostId,
        flavorId: w.flavorId,
        imageId: w.imageId,
        assignedTo: st.id,
      }),
    );
  return { ...w, desktops };
}

describe("leaving the class releases the desktop", () => {
  it("users.update out of the group: released and reset; the classmate who stays keeps theirs", async () => {
    const w = await assignedLab();
    const jobs = recordingJobs();
    await callerFor(s, it_, undefined, { jobs }).users.update({ id: w.students[0]!.id, groupIds: [] });
    const [gone, kept] = [await rowOf(w.desktops[0]!), await rowOf(w.desktops[1]!)];
    expect({ assignedTo: gone.assignedTo, task: gone.task }).toEqual({ assignedTo: null, task: "resetting" });
    expect(jobs.sent.map((j) => j.name)).toEqual(["instance.reset"]);
    expect(kept.assignedTo).toBe(w.students[1]!.id);
  });

  it("groups.setMembers without the student, and users.setDisabled: both released", async () => {
    const w = await assignedLab();
    const [a, b] = w.students as [(typeof w.students)[0], (typeof w.students)[0]];
    await callerFor(s, it_, undefined, { jobs: recordingJobs() }).groups.setMembers({
      id: w.groupId,
      userIds: [w.teacher.id, b.id],
    });
    expect((await rowOf(w.desktops[0]!)).assignedTo).toBeNull();
    expect((await rowOf(w.desktops[1]!)).assignedTo).toBe(b.id);
    await callerFor(s, it_, undefined, { jobs: recordingJobs() }).users.setDisabled({
      id: b.id,
      disabled: true,
    });
    expect((await rowOf(w.desktops[1]!)).assignedTo).toBeNull();
    expect(a.id).not.toBe(b.id);
  });

  it("a student out of the class whose release could not run is refused the desktop all the same", async () => {
    const w = await assignedLab(1);
    const student = w.students[0]!;
    // Taken out behind the portal's back (no release ran): the policies alone must refuse.
    await s.db
      .delete(memberships)
      .where(and(eq(memberships.userId, student.id), eq(memberships.groupId, w.groupId)));
    const api = callerFor(s, (await loadActorById(s.db, student.id))!);
    expect(await succeeds(() => api.consoles.createTicket({ instanceId: w.desktops[0]!, kind: "vnc" }))).toBe(
      false,
    );
    expect(await succeeds(() => api.desktops.release({ instanceId: w.desktops[0]! }))).toBe(false);
  });
});

describe("a desktop's owner gets nothing from owning it", () => {
  it("the owner, now a student of the class, neither reads, lists nor stops it; the teacher reads it", async () => {
    const w = await assignedLab(1);
    const owner = await makeUser(s, "user", [w.groupId]);
    await s.db.update(instances).set({ ownerId: owner.id }).where(eq(instances.id, w.desktops[0]!));
    const api = callerFor(s, owner);
    expect(await succeeds(() => api.instances.get({ id: w.desktops[0]! }))).toBe(false);
    expect((await api.instances.list({ limit: 500 })).items.map((i) => i.id)).not.toContain(w.desktops[0]);
    expect(await succeeds(() => api.instances.stop({ id: w.desktops[0]! }))).toBe(false);
    expect(await succeeds(() => callerFor(s, w.teacher).instances.get({ id: w.desktops[0]! }))).toBe(true);
  });
});

describe("release while the profile is in admin mode", () => {
  it("does not reset (start) the desktop: it is taken away and the assignment ends", async () => {
    const w = await assignedLab(1);
    await makeProfileMachine(s, {
      profileId: w.profileId,
      kind: "admin",
      ownerId: w.teacher.id,
      groupId: w.groupId,
      hostId,
      flavorId: w.flavorId,
      imageId: w.imageId,
    });
    await s.db.update(instances).set({ state: "STOPPED" }).where(eq(instances.id, w.desktops[0]!));
    const jobs = recordingJobs();
    await callerFor(s, w.students[0]!, undefined, { jobs }).desktops.release({ instanceId: w.desktops[0]! });
    const row = await rowOf(w.desktops[0]!);
    expect({ assignedTo: row.assignedTo, state: row.state, jobs: jobs.sent.map((j) => j.name) }).toEqual({
      assignedTo: null,
      state: "DELETING",
      jobs: ["instance.delete"],
    });
  });

  it("a reset whose job cannot be queued gives the desktop back to its student as it was", async () => {
    const w = await assignedLab(1);
    const failing = { ...recordingJobs(), enqueue: () => Promise.reject(new Error("redis down")) };
    const worked = await succeeds(() =>
      callerFor(s, w.students[0]!, undefined, { jobs: failing }).desktops.release({
        instanceId: w.desktops[0]!,
      }),
    );
    const row = await rowOf(w.desktops[0]!);
    expect({ worked, assignedTo: row.assignedTo, task: row.task }).toEqual({
      worked: false,
      assignedTo: w.students[0]!.id,
      task: null,
    });
  });
});

describe("a lab's pools hold at most its seats", () => {
  it("a pool grown past the seats its lab has left is refused; up to them it is fine", async () => {
    const w = await makeClassLab(s, { seats: 6, size: 4, spare: 0 });
    const api = callerFor(s, w.teacher);
    expect(await succeeds(() => api.pools.update({ id: w.poolId, size: 7 }))).toBe(false);
    expect(await succeeds(() => api.pools.update({ id: w.poolId, size: 6 }))).toBe(true);
    expect(await succeeds(() => api.labs.update({ id: w.labId, seats: 5 }))).toBe(false);
    expect(await succeeds(() => api.labs.update({ id: w.labId, seats: 6 }))).toBe(true);
  });
});
