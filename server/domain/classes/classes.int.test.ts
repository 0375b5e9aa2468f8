// Classes end to end through the procedures: a group's catalogue decides the launch dialog and the API
// alike; a teacher (powerAdm administering the class) runs its members, catalogue and machines; a student
// reaches only the machines assigned to them; a powerAdm who merely belongs to the class reaches nothing
// of its members'.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq, inArray, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupCatalogue, images, instances, memberships, quotaLimits, users } from "@/db/schema";
import type { Actor } from "@/server/domain/context";
import { DomainError } from "@/server/domain/errors";
import { loadActor } from "@/server/domain/account/load-actor";
import {
  allowInCatalogue,
  callerFor,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeNetwork,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";

let s: TestServices;
/** A roomy host every class of this file is restricted to (the run's other hosts stay out of it). */
let hostId: string;
let imageId: string;
let flavorId: number;

beforeAll(async () => {
  s = openTestServices();
  hostId = await makeHost(s, { cpuCount: 64, memoryMiB: 256 * 1024 });
  imageId = await makeImageRow(s);
  flavorId = await makeFlavor(s);
});
afterAll(async () => {
  await s.close();
});

/** The DomainError behind a refused procedure call. */
async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    const cause = err instanceof TRPCError ? err.cause : err;
    if (cause instanceof DomainError) return cause;
    if (err instanceof TRPCError)
      return new DomainError("FORBIDDEN", { code: "auth.roleForbids", params: {} });
    throw err;
  }
  throw new Error("expected a refusal");
}

/** A class with a teacher (its admin), students, the file's image and flavor, on the file's host. */
async function makeClass(students = 2) {
  const groupId = await makeGroup(s);
  await allowInCatalogue(s, groupId, { imageIds: [imageId], flavorIds: [flavorId], hostIds: [hostId] });
  const teacher = await makeUser(s, "powerAdm", [groupId]);
  const pupils: Actor[] = [];
  for (let i = 0; i < students; i++) pupils.push(await makeUser(s, "user", [groupId]));
  const machineOf = (owner: Actor, state: "RUNNING" | "STOPPED" = "RUNNING") =>
    makeInstanceRow(s, { ownerId: owner.id, groupId, hostId, flavorId, imageId, state });
  return { groupId, teacher, students: pupils, machineOf };
}

describe("group catalogue", () => {
  it("group catalogue restricts the launch dialog and the API alike", async () => {
    const c = await makeClass(1);
    const student = c.students[0]!;
    const otherImage = await makeImageRow(s); // public, not in the catalogue
    const otherFlavor = await makeFlavor(s); // public, not in the catalogue
    const ownImage = await makeImageRow(s, { visibility: "group" });
    await s.db.update(images).set({ groupId: c.groupId }).where(eq(images.id, ownImage));
    const ownFlavor = await makeFlavor(s, { groupId: c.groupId });
    const otherGroupFlavor = await makeFlavor(s, { groupId: await makeGroup(s) });
    const allowedNet = await makeNetwork(s);
    const otherNet = await makeNetwork(s);
    await allowInCatalogue(s, c.groupId, { networkIds: [allowedNet] });

    const api = callerFor(s, student);
    const options = await api.instances.launchOptions({});
    expect(options.groupId).toBe(c.groupId);
    const imageIds = options.images.map((i) => i.id);
    expect(imageIds).toEqual(expect.arrayContaining([imageId, ownImage]));
    expect(imageIds).not.toContain(otherImage);
    const flavorIds = options.flavors.map((f) => f.id);
    expect(flavorIds).toEqual(expect.arrayContaining([flavorId, ownFlavor]));
    expect(flavorIds).not.toContain(otherFlavor);
    expect(flavorIds).not.toContain(otherGroupFlavor);
    expect(options.networks.map((n) => n.id)).toEqual([allowedNet]);

    // What the dialog does not offer, the API refuses; what it offers, the API takes.
    const create = (img: string, fl: number, nics: { networkId: string }[] = []) =>
      api.instances.create({ name: "vm", imageId: img, flavorId: fl, nics });
    expect((await refusal(create(otherImage, flavorId))).code).toBe("catalogue.imageNotAllowed");
    expect((await refusal(create(imageId, otherFlavor))).code).toBe("catalogue.flavorNotAllowed");
    expect((await refusal(create(imageId, otherGroupFlavor))).code).toBe("catalogue.flavorNotAllowed");
    expect((await refusal(create(imageId, flavorId, [{ networkId: otherNet }]))).code).toBe(
      "catalogue.networkNotAllowed",
    );
    expect((await create(imageId, flavorId)).owner.id).toBe(student.id);
    expect((await create(ownImage, ownFlavor)).groupId).toBe(c.groupId);

    // A student in no group is offered nothing, and refused alike.
    const loner = await makeUser(s, "user", []);
    const none = await callerFor(s, loner).instances.launchOptions({});
    expect([none.images, none.flavors, none.networks]).toEqual([[], [], []]);
    expect(
      (await refusal(callerFor(s, loner).instances.create({ name: "vm", imageId, flavorId, nics: [] }))).code,
    ).toBe("catalogue.launchInYourGroup");
  });

  it("a teacher edits the catalogue: public images by family and public flavors; hosts are superAdm's", async () => {
    const c = await makeClass(0);
    const api = callerFor(s, c.teacher);
    const v1 = await makeImageRow(s);
    const v2 = await makeImageRow(s);
    await s.db.update(images).set({ familyId: v1, version: 2 }).where(eq(images.id, v2));
    const res = await api.classes.setCatalogue({ id: c.groupId, imageIds: [v2], flavorIds: [flavorId] });
    // Stored as the family: a newer version stays allowed; the view shows the newest.
    const stored = await s.db
      .select()
      .from(groupCatalogue)
      .where(and(eq(groupCatalogue.groupId, c.groupId), eq(groupCatalogue.kind, "image")));
    expect(stored.map((r) => r.itemId)).toEqual([v1]);
    expect(res.catalogue.images.map((i) => i.id)).toEqual([v2]);
    // The hosts the superAdm chose stay.
    expect(res.catalogue.hosts.map((h) => h.id)).toEqual([hostId]);

    const privateImage = await makeImageRow(s, { visibility: "private", ownerId: c.teacher.id });
    expect((await refusal(api.classes.setCatalogue({ id: c.groupId, imageIds: [privateImage] }))).code).toBe(
      "classes.imageNotPublic",
    );
    const theirs = await makeFlavor(s, { groupId: await makeGroup(s) });
    expect((await refusal(api.classes.setCatalogue({ id: c.groupId, flavorIds: [theirs] }))).code).toBe(
      "classes.flavorNotPublic",
    );
    const elsewhere = await makeHost(s);
    expect((await refusal(api.classes.setCatalogue({ id: c.groupId, hostIds: [elsewhere] }))).code).toBe(
      "classes.hostsAreSuperAdms",
    );
    // Sending the hosts back unchanged (a form that saves every list) is fine.
    await api.classes.setCatalogue({ id: c.groupId, hostIds: [hostId] });
  });

  it("placement honours the group's hosts and names the others' reason", async () => {
    const c = await makeClass(1);
    const small = await makeHost(s, { cpuCount: 1, memoryMiB: 512 });
    const big = await makeFlavor(s, { memoryMiB: 1024 });
    const admin = await makeUser(s, "superAdm", []);
    await callerFor(s, admin).classes.setCatalogue({ id: c.groupId, hostIds: [small], flavorIds: [big] });
    const err = await refusal(
      callerFor(s, c.students[0]!).instances.create({ name: "vm", imageId, flavorId: big, nics: [] }),
    );
    expect(err.message).toContain("not among the hosts of group");
    expect(err.message).toMatch(/not enough RAM/);
    // Room on the allowed host: it goes there and nowhere else.
    await callerFor(s, admin).classes.setCatalogue({ id: c.groupId, hostIds: [hostId], flavorIds: [big] });
    const vm = await callerFor(s, c.students[0]!).instances.create({
      name: "vm",
      imageId,
      flavorId: big,
      nics: [],
    });
    expect(vm.host?.id).toBe(hostId);
  });
});

describe("who reaches a class's machines", () => {
  it("a student can see and act only on machines assigned to them", async () => {
    const c = await makeClass(2);
    const [ann, bob] = c.students as [Actor, Actor];
    const annVm = await c.machineOf(ann);
    const bobVm = await c.machineOf(bob);
    const api = callerFor(s, ann);
    const seen = (await api.instances.list({ limit: 500 })).items.map((i) => i.id);
    expect(seen).toContain(annVm);
    expect(seen).not.toContain(bobVm);
    expect((await refusal(api.instances.get({ id: bobVm }))).kind).toBe("FORBIDDEN");
    expect((await refusal(api.instances.stop({ id: bobVm }))).kind).toBe("FORBIDDEN");
    expect((await refusal(api.consoles.createTicket({ instanceId: bobVm, kind: "vnc" }))).kind).toBe(
      "FORBIDDEN",
    );
    expect((await api.instances.stop({ id: annVm })).id).toBe(annVm);
    // Given Bob's machine by the teacher, Ann reaches it and Bob no longer does.
    await callerFor(s, c.teacher).instances.assign({ id: bobVm, ownerId: ann.id });
    expect((await api.instances.get({ id: bobVm })).owner.id).toBe(ann.id);
    expect((await refusal(callerFor(s, bob).instances.get({ id: bobVm }))).kind).toBe("FORBIDDEN");
  });

  it("a teacher reaches only their groups' members and machines", async () => {
    const mine = await makeClass(1);
    const theirs = await makeClass(1);
    const myVm = await mine.machineOf(mine.students[0]!);
    const theirVm = await theirs.machineOf(theirs.students[0]!);
    const api = callerFor(s, mine.teacher);
    const seen = (await api.instances.list({ limit: 500 })).items.map((i) => i.id);
    expect(seen).toContain(myVm);
    expect(seen).not.toContain(theirVm);
    expect((await api.consoles.createTicket({ instanceId: myVm, kind: "vnc" })).ticket).toBeTruthy();
    expect((await api.instances.stop({ id: myVm })).id).toBe(myVm);
    expect((await refusal(api.instances.stop({ id: theirVm }))).kind).toBe("FORBIDDEN");
    expect((await refusal(api.instances.delete({ id: theirVm }))).kind).toBe("FORBIDDEN");
    expect((await refusal(api.classes.get({ id: theirs.groupId }))).kind).toBe("FORBIDDEN");
    expect((await refusal(api.instances.assign({ id: theirVm, ownerId: mine.students[0]!.id }))).kind).toBe(
      "FORBIDDEN",
    );
    const detail = await api.classes.get({ id: mine.groupId });
    expect(detail.machines.map((m) => m.id)).toEqual([myVm]);
    expect(detail.members.find((m) => m.id === mine.teacher.id)?.isAdmin).toBe(true);
    expect((await api.classes.list()).map((g) => g.id)).toEqual([mine.groupId]);
  });

  it("a member-but-not-admin powerAdm cannot act on the group's machines", async () => {
    const c = await makeClass(1);
    const vm = await c.machineOf(c.students[0]!);
    const colleague = await makeUser(s, "powerAdm", [c.groupId], { adminOf: [] });
    const api = callerFor(s, colleague);
    expect((await api.instances.list({ limit: 500 })).items.map((i) => i.id)).not.toContain(vm);
    expect((await refusal(api.instances.get({ id: vm }))).kind).toBe("FORBIDDEN");
    expect((await refusal(api.instances.stop({ id: vm }))).kind).toBe("FORBIDDEN");
    expect((await refusal(api.consoles.createTicket({ instanceId: vm, kind: "vnc" }))).kind).toBe(
      "FORBIDDEN",
    );
    expect((await refusal(api.classes.get({ id: c.groupId }))).kind).toBe("FORBIDDEN");
    expect(
      (await refusal(api.classes.deploy({ id: c.groupId, imageId, flavorId, namePrefix: "x" }))).kind,
    ).toBe("FORBIDDEN");
    expect(await api.classes.list()).toEqual([]);
  });
});

describe("deployments", () => {
  it("makes one machine per student in one batch, within every student's quota, and takes them away", async () => {
    const c = await makeClass(3);
    const powerUser = await makeUser(s, "powerUser", [c.groupId]);
    const api = callerFor(s, c.teacher);
    const first = await api.classes.deploy({ id: c.groupId, imageId, flavorId, namePrefix: "lab1" });
    expect(first.instances).toHaveLength(3);
    expect(new Set(first.instances.map((i) => i.owner.id))).toEqual(new Set(c.students.map((u) => u.id)));
    expect(first.instances.every((i) => i.batchId === first.batchId && i.groupId === c.groupId)).toBe(true);
    expect(first.instances.map((i) => i.name)).toContain(`lab1-${c.students[0]!.username}`);
    expect(first.instances.map((i) => i.owner.id)).not.toContain(powerUser.id);

    // A chosen subset (anyone of the class, not only students).
    const some = await api.classes.deploy({
      id: c.groupId,
      imageId,
      flavorId,
      namePrefix: "extra",
      userIds: [powerUser.id],
    });
    expect(some.instances.map((i) => i.owner.id)).toEqual([powerUser.id]);
    const outsider = await makeUser(s, "user", []);
    expect(
      (
        await refusal(
          api.classes.deploy({ id: c.groupId, imageId, flavorId, namePrefix: "x", userIds: [outsider.id] }),
        )
      ).code,
    ).toBe("classes.notMembers");

    // One student at their limit: the whole batch is refused with the quota named, nothing is made.
    await s.db
      .insert(quotaLimits)
      .values({ subject: "user", subjectId: String(c.students[1]!.id), instances: 1 });
    const before = await liveInGroup(c.groupId);
    const err = await refusal(api.classes.deploy({ id: c.groupId, imageId, flavorId, namePrefix: "lab2" }));
    expect(err.code).toBe("quotas.exceeded");
    expect(err.params).toMatchObject({ owner: c.students[1]!.username, quota: "instances", limit: 1 });
    expect(await liveInGroup(c.groupId)).toBe(before);

    // "Remove these machines": exactly the first deployment's.
    const removed = await api.classes.undeploy({ id: c.groupId, batchId: first.batchId });
    expect(removed).toMatchObject({ requested: 3, skipped: 0 });
    const left = await s.db
      .select({ id: instances.id, state: instances.state })
      .from(instances)
      .where(eq(instances.batchId, first.batchId));
    expect(left.every((r) => r.state === "DELETING")).toBe(true);
    const extra = await s.db.select().from(instances).where(eq(instances.batchId, some.batchId));
    expect(extra[0]!.state).not.toBe("DELETING");
    // Another class's teacher cannot take them away.
    const other = await makeClass(0);
    expect(
      (await refusal(callerFor(s, other.teacher).classes.undeploy({ id: c.groupId, batchId: some.batchId })))
        .kind,
    ).toBe("FORBIDDEN");
    expect((await refusal(api.classes.undeploy({ id: c.groupId, batchId: randomUUID() }))).kind).toBe(
      "NOT_FOUND",
    );
  });

  it("a machine goes only to a member of its group, within the new owner's quota", async () => {
    const c = await makeClass(2);
    const [ann, bob] = c.students as [Actor, Actor];
    const vm = await c.machineOf(ann);
    const api = callerFor(s, c.teacher);
    await s.db.insert(quotaLimits).values({ subject: "user", subjectId: String(bob.id), instances: 0 });
    const err = await refusal(api.instances.assign({ id: vm, ownerId: bob.id }));
    expect(err.code).toBe("quotas.exceeded");
    expect(err.params).toMatchObject({ owner: bob.username, quota: "instances", limit: 0, used: 0 });
    const outsider = await makeUser(s, "user", []);
    expect((await refusal(api.instances.assign({ id: vm, ownerId: outsider.id }))).code).toBe(
      "classes.assignToMember",
    );
    await s.db.delete(quotaLimits).where(eq(quotaLimits.subjectId, String(bob.id)));
    expect((await api.instances.assign({ id: vm, ownerId: bob.id })).owner.id).toBe(bob.id);
  });
});

async function liveInGroup(groupId: number): Promise<number> {
  return (
    await s.db
      .select({ id: instances.id })
      .from(instances)
      .where(and(eq(instances.groupId, groupId), ne(instances.state, "DELETED")))
  ).length;
}

describe("members and admins", () => {
  it("superAdm makes only powerAdm accounts admins; a teacher adds and removes students, not admins", async () => {
    const c = await makeClass(1);
    const admin = await makeUser(s, "superAdm", []);
    const student = c.students[0]!;
    expect(
      (await refusal(callerFor(s, admin).groups.setAdmins({ id: c.groupId, userIds: [student.id] }))).code,
    ).toBe("classes.adminMustBePowerAdm");
    const colleague = await makeUser(s, "powerAdm", []);
    const set = await callerFor(s, admin).groups.setAdmins({
      id: c.groupId,
      userIds: [c.teacher.id, colleague.id],
    });
    expect(set.admins.map((a) => a.id).sort()).toEqual([c.teacher.id, colleague.id].sort());
    // The flag counts from the account's next request (the actor is read from the database each time).
    const [account] = await s.db.select().from(users).where(eq(users.id, colleague.id));
    const asNow = (await loadActor(s.db, colleague.id, account!.sessionVersion))!;
    expect(asNow.adminGroupIds).toContain(c.groupId);
    expect((await callerFor(s, asNow).classes.get({ id: c.groupId })).id).toBe(c.groupId);
    // Changing the members keeps the admins' flags.
    await callerFor(s, admin).groups.setMembers({
      id: c.groupId,
      userIds: [c.teacher.id, colleague.id, student.id],
    });
    const flags = await s.db
      .select({ userId: memberships.userId, isAdmin: memberships.isAdmin })
      .from(memberships)
      .where(eq(memberships.groupId, c.groupId));
    expect(
      flags
        .filter((f) => f.isAdmin)
        .map((f) => f.userId)
        .sort(),
    ).toEqual([c.teacher.id, colleague.id].sort());

    const api = callerFor(s, c.teacher);
    const newcomer = await makeUser(s, "user", []);
    expect(
      await api.classes.addMembers({ id: c.groupId, usernames: [newcomer.username, student.username] }),
    ).toMatchObject({ added: 1, alreadyMembers: 1 });
    expect(
      (await refusal(api.classes.addMembers({ id: c.groupId, usernames: ["nobody-by-this-name"] }))).code,
    ).toBe("classes.unknownAccounts");
    expect((await refusal(api.classes.removeMembers({ id: c.groupId, userIds: [colleague.id] }))).code).toBe(
      "classes.cannotRemoveAdmin",
    );
    expect(await api.classes.removeMembers({ id: c.groupId, userIds: [newcomer.id] })).toMatchObject({
      removed: 1,
    });
    const left = await s.db
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.groupId, c.groupId), inArray(memberships.userId, [newcomer.id])));
    expect(left).toEqual([]);
  });
});

describe("flavors of a group's own", () => {
  it("a teacher makes flavors for a class they administer; public flavors are superAdm's", async () => {
    const c = await makeClass(1);
    const other = await makeClass(0);
    const api = callerFor(s, c.teacher);
    const own = await api.flavors.create({
      name: `own-${randomUUID().slice(0, 8)}`,
      vcpus: 1,
      memoryMiB: 256,
      diskGiB: 1,
      groupId: c.groupId,
    });
    expect(own.groupId).toBe(c.groupId);
    expect(
      (
        await refusal(
          api.flavors.create({
            name: `pub-${randomUUID().slice(0, 8)}`,
            vcpus: 1,
            memoryMiB: 256,
            diskGiB: 1,
          }),
        )
      ).code,
    ).toBe("classes.publicFlavorsAreSuperAdms");
    expect(
      (
        await refusal(
          api.flavors.create({
            name: `x-${randomUUID().slice(0, 8)}`,
            vcpus: 1,
            memoryMiB: 256,
            diskGiB: 1,
            groupId: other.groupId,
          }),
        )
      ).kind,
    ).toBe("FORBIDDEN");
    expect((await refusal(api.flavors.update({ id: flavorId, diskGiB: 2 }))).code).toBe(
      "classes.publicFlavorsAreSuperAdms",
    );
    const theirs = await makeFlavor(s, { groupId: other.groupId });
    expect((await refusal(api.flavors.delete({ id: theirs }))).kind).toBe("FORBIDDEN");
    // Members see the public flavors and their groups' own; not another group's.
    const seen = (await callerFor(s, c.students[0]!).flavors.list()).map((f) => f.id);
    expect(seen).toEqual(expect.arrayContaining([flavorId, own.id]));
    expect(seen).not.toContain(theirs);
    await api.flavors.delete({ id: own.id });
  });
});
