// Labs through their procedures on real MariaDB: a teacher runs their class's labs (seats, the profiles
// of the class or public ones they may use, weekly lessons that do not overlap); another class's teacher
// and students cannot; a lab with a running pool stays.
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labLessons, labs, pools } from "@/db/schema";
import {
  callerFor,
  makeFlavor,
  makeGroup,
  makeImageRow,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeLab, makeProfile } from "@/server/testing/lab-fixtures";
import { DomainError } from "../errors";

let s: TestServices;
let imageId: string;
let flavorId: number;

beforeAll(async () => {
  s = openTestServices();
  imageId = await makeImageRow(s);
  flavorId = await makeFlavor(s);
});
afterAll(async () => {
  await s.close();
});

async function refusal(p: Promise<unknown>): Promise<{ kind: string; code: string }> {
  try {
    await p;
  } catch (err) {
    const cause = err instanceof TRPCError ? err.cause : err;
    if (cause instanceof DomainError) return { kind: cause.kind, code: cause.code };
    if (err instanceof TRPCError) return { kind: err.code, code: "" };
    throw err;
  }
  throw new Error("expected a refusal");
}

async function makeClass() {
  const groupId = await makeGroup(s);
  return {
    groupId,
    teacher: await makeUser(s, "powerAdm", [groupId]),
    student: await makeUser(s, "user", [groupId]),
    profile: (await makeProfile(s, { groupId, imageId, flavorId })).profileId,
  };
}

describe("labs", () => {
  it("a teacher creates a lab of the class with its profiles and the public ones; not another class's", async () => {
    const c = await makeClass();
    const other = await makeClass();
    const { profileId: pub } = await makeProfile(s, { groupId: null, imageId, flavorId });
    const api = callerFor(s, c.teacher);
    const lab = await api.labs.create({
      name: "Room 101",
      groupId: c.groupId,
      seats: 30,
      description: "2nd floor",
      profileIds: [c.profile, pub],
    });
    expect(lab).toMatchObject({
      seats: 30,
      group: { id: c.groupId },
      profileCount: 2,
      lessons: [],
      pools: [],
    });
    expect(lab.profiles.map((p) => p.id).sort()).toEqual([c.profile, pub].sort());

    expect(
      (
        await refusal(
          api.labs.create({ name: "x", groupId: c.groupId, seats: 5, profileIds: [other.profile] }),
        )
      ).kind,
    ).toBe("FORBIDDEN");
    expect((await refusal(api.labs.create({ name: "x", groupId: other.groupId, seats: 5 }))).kind).toBe(
      "FORBIDDEN",
    );
    expect((await refusal(api.labs.create({ name: "x", groupId: null, seats: 5 }))).code).toBe(
      "labs.publicNeedsSuperAdm",
    );
    for (const seats of [0, 501])
      expect((await refusal(api.labs.create({ name: "x", groupId: c.groupId, seats }))).kind).toBe(
        "BAD_REQUEST",
      );
    // superAdm may put another class's profile in a lab only if it is of that lab's class.
    const root = callerFor(s, await makeUser(s, "superAdm"));
    expect((await refusal(root.labs.update({ id: lab.id, profileIds: [other.profile] }))).code).toBe(
      "labs.profileOfOtherGroup",
    );

    const updated = await api.labs.update({ id: lab.id, seats: 24, profileIds: [c.profile] });
    expect(updated.seats).toBe(24);
    expect(updated.profiles.map((p) => p.id)).toEqual([c.profile]);
  });

  it("scope: the class's teacher lists and reads its labs; another class's teacher and a student cannot", async () => {
    const c = await makeClass();
    const other = await makeClass();
    const mine = await makeLab(s, { groupId: c.groupId });
    const theirs = await makeLab(s, { groupId: other.groupId, seats: 10 });
    const api = callerFor(s, c.teacher);
    const seen = (await api.labs.list()).map((l) => l.id);
    expect(seen).toContain(mine);
    expect(seen).not.toContain(theirs);
    for (const call of [
      () => api.labs.get({ id: theirs }),
      () => api.labs.update({ id: theirs, seats: 1 }),
      () => api.labs.delete({ id: theirs }),
      () => api.labs.setLessons({ id: theirs, lessons: [] }),
    ])
      expect((await refusal(call())).kind).toBe("FORBIDDEN");
    expect((await refusal(callerFor(s, c.student).labs.list())).kind).toBe("FORBIDDEN");
    expect((await refusal(callerFor(s, c.student).labs.get({ id: mine }))).kind).toBe("FORBIDDEN");
    const [row] = await s.db.select().from(labs).where(eq(labs.id, theirs));
    expect(row!.seats).toBe(10);
    const all = (await callerFor(s, await makeUser(s, "superAdm")).labs.list()).map((l) => l.id);
    expect(all).toEqual(expect.arrayContaining([mine, theirs]));
  });

  it("weekly lessons: replaced as a list, end after start, warm-up 0–120, no overlap in one lab", async () => {
    const c = await makeClass();
    const api = callerFor(s, c.teacher);
    const id = await makeLab(s, { groupId: c.groupId });
    const view = await api.labs.setLessons({
      id,
      lessons: [
        { weekday: 3, start: "10:00", end: "11:30", warmMinutes: 15 },
        { weekday: 1, start: "08:00", end: "09:30" },
        { weekday: 1, start: "09:30", end: "10:15", warmMinutes: 0 },
      ],
    });
    expect(view.lessons.map((l) => [l.weekday, l.start, l.end, l.warmMinutes])).toEqual([
      [1, "08:00", "09:30", 10],
      [1, "09:30", "10:15", 0],
      [3, "10:00", "11:30", 15],
    ]);
    const overlap = await refusal(
      api.labs.setLessons({
        id,
        lessons: [
          { weekday: 2, start: "08:00", end: "09:30" },
          { weekday: 2, start: "09:00", end: "10:00" },
        ],
      }),
    );
    expect(overlap.code).toBe("labs.lessonsOverlap");
    for (const bad of [
      { weekday: 2, start: "09:00", end: "09:00" },
      { weekday: 8, start: "09:00", end: "10:00" },
      { weekday: 2, start: "9:00", end: "10:00" },
      { weekday: 2, start: "09:00", end: "10:00", warmMinutes: 121 },
    ])
      expect((await refusal(api.labs.setLessons({ id, lessons: [bad] }))).kind).toBe("BAD_REQUEST");
    // Refusals changed nothing; an empty list clears the schedule.
    expect(await s.db.select().from(labLessons).where(eq(labLessons.labId, id))).toHaveLength(3);
    expect((await api.labs.setLessons({ id, lessons: [] })).lessons).toEqual([]);
  });

  it("delete is refused while a pool of the lab runs; a stopped pool goes with the lab", async () => {
    const c = await makeClass();
    const api = callerFor(s, c.teacher);
    const id = await makeLab(s, { groupId: c.groupId });
    const [pool] = await s.db
      .insert(pools)
      .values({ labId: id, profileId: c.profile, size: 3, spare: 1, state: "running" });
    const view = await api.labs.get({ id });
    expect(view.pools).toEqual([
      expect.objectContaining({ id: pool.insertId, size: 3, spare: 1, state: "running", desktops: 0 }),
    ]);
    expect(view.runningPools).toBe(1);
    expect((await refusal(api.labs.delete({ id }))).code).toBe("labs.poolRuns");
    await s.db.update(pools).set({ state: "stopped" }).where(eq(pools.id, pool.insertId));
    await api.labs.delete({ id });
    expect(await s.db.select().from(labs).where(eq(labs.id, id))).toEqual([]);
    expect(await s.db.select().from(pools).where(eq(pools.id, pool.insertId))).toEqual([]);
  });
});
