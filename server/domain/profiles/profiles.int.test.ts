// Desktop profiles through their procedures on real MariaDB: a teacher (admin of the class) makes them
// from the class's catalogue, goes back and forth between versions, clones them sharing the base image,
// and runs admin mode — which excludes the profile's desktops and is excluded by them, also when the
// two race under the profile's lock — and publishes it as the next version (the capture's upload is the
// host's; here it is called directly with a real qcow2, as receive-capture.int.test.ts does).
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  hostImages,
  images,
  instances,
  labProfiles,
  pools,
  profilePublications,
  profiles,
  profileVersions,
  tasks,
} from "@/db/schema";
import {
  allowInCatalogue,
  callerFor,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeUser,
  openTestServices,
  recordingJobs,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeLab, makeProfile, makeProfileMachine } from "@/server/testing/lab-fixtures";
import { receiveCapture } from "../captures/receive-capture";
import { profilePublisher } from "./publications";
import { DomainError } from "../errors";
import { assertNotInAdminMode, lockProfile } from "../provisioning/profile-lock";

const work = await mkdtemp(join(tmpdir(), "profiles-test-"));
const storeDir = join(work, "store");
let s: TestServices;
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
  await rm(work, { recursive: true, force: true });
});

/** The DomainError behind a refused call (a role refusal has no domain cause: FORBIDDEN). */
async function refusal(p: Promise<unknown>): Promise<{ kind: string; code: string; params: unknown }> {
  try {
    await p;
  } catch (err) {
    const cause = err instanceof TRPCError ? err.cause : err;
    if (cause instanceof DomainError) return { kind: cause.kind, code: cause.code, params: cause.params };
    if (err instanceof TRPCError) return { kind: err.code, code: "", params: {} };
    throw err;
  }
  throw new Error("expected a refusal");
}

/** A class: its teacher, a student, the file's image and flavor on the file's host. */
async function makeClass() {
  const groupId = await makeGroup(s);
  await allowInCatalogue(s, groupId, { imageIds: [imageId], flavorIds: [flavorId], hostIds: [hostId] });
  const teacher = await makeUser(s, "powerAdm", [groupId]);
  const student = await makeUser(s, "user", [groupId]);
  return { groupId, teacher, student };
}

const profileRow = async (id: number) => (await s.db.select().from(profiles).where(eq(profiles.id, id)))[0];

describe("profiles", () => {
  it("a teacher creates a profile from the class's catalogue; version 1 is the chosen image", async () => {
    const c = await makeClass();
    const lab = await makeLab(s, { groupId: c.groupId });
    const api = callerFor(s, c.teacher);
    const p = await api.profiles.create({
      name: "Windows lab",
      groupId: c.groupId,
      imageId,
      flavorId,
      firmware: "uefi",
      diskBus: "sata",
      nicModel: "e1000",
      keyboardLayout: "de",
      consoleKinds: ["vnc", "serial"],
      labIds: [lab],
    });
    expect(p.group).toEqual({ id: c.groupId, name: expect.any(String) });
    expect(p.currentVersion).toBe(1);
    expect(p.versions).toEqual([
      expect.objectContaining({
        version: 1,
        imageId,
        createdBy: expect.objectContaining({ id: c.teacher.id }),
      }),
    ]);
    expect(p.currentImage.id).toBe(imageId);
    expect(p).toMatchObject({ firmware: "uefi", diskBus: "sata", nicModel: "e1000", throwaway: true });
    expect(p.labs.map((l) => l.id)).toEqual([lab]);

    // Not in the catalogue, another class, public, a lab of another class: refused, nothing made.
    const otherImage = await makeImageRow(s);
    expect(
      (await refusal(api.profiles.create({ name: "x", groupId: c.groupId, imageId: otherImage, flavorId })))
        .code,
    ).toBe("catalogue.imageNotAllowed");
    const other = await makeClass();
    expect(
      (await refusal(api.profiles.create({ name: "x", groupId: other.groupId, imageId, flavorId }))).kind,
    ).toBe("FORBIDDEN");
    expect((await refusal(api.profiles.create({ name: "x", groupId: null, imageId, flavorId }))).code).toBe(
      "profiles.publicNeedsSuperAdm",
    );
    const otherLab = await makeLab(s, { groupId: other.groupId });
    expect(
      (
        await refusal(
          api.profiles.create({ name: "x", groupId: c.groupId, imageId, flavorId, labIds: [otherLab] }),
        )
      ).kind,
    ).toBe("FORBIDDEN");
    // Of the class's own (public profiles other test files made are listed too, by design).
    expect((await api.profiles.list()).filter((x) => x.group !== null).map((x) => x.id)).toEqual([p.id]);
  });

  it("scope: the class's teacher and public profiles; not another class's teacher, not a student", async () => {
    const c = await makeClass();
    const other = await makeClass();
    const { profileId: mine } = await makeProfile(s, { groupId: c.groupId, imageId, flavorId });
    const { profileId: theirs } = await makeProfile(s, { groupId: other.groupId, imageId, flavorId });
    const { profileId: pub } = await makeProfile(s, { groupId: null, imageId, flavorId });
    const api = callerFor(s, c.teacher);
    const seen = (await api.profiles.list()).map((p) => p.id);
    expect(seen).toEqual(expect.arrayContaining([mine, pub]));
    expect(seen).not.toContain(theirs);
    expect((await api.profiles.get({ id: pub })).group).toBeNull();
    for (const call of [
      () => api.profiles.get({ id: theirs }),
      () => api.profiles.update({ id: theirs, description: "mine now" }),
      () => api.profiles.startAdminMode({ id: theirs }),
      () => api.profiles.delete({ id: theirs }),
      // A public profile is read and used, not managed, by a teacher.
      () => api.profiles.update({ id: pub, description: "mine now" }),
      () => api.profiles.setCurrentVersion({ id: pub, version: 1 }),
    ])
      expect((await refusal(call())).kind).toBe("FORBIDDEN");
    const student = callerFor(s, c.student);
    expect((await refusal(student.profiles.list())).kind).toBe("FORBIDDEN");
    expect((await refusal(student.profiles.get({ id: mine }))).kind).toBe("FORBIDDEN");
    expect((await profileRow(theirs))!.description).toBe("");
    // superAdm manages the public ones.
    const root = callerFor(s, await makeUser(s, "superAdm"));
    expect((await root.profiles.update({ id: pub, description: "school-wide" })).description).toBe(
      "school-wide",
    );
  });

  it("update changes settings and labs; delete is refused while a pool, desktops or admin mode exist", async () => {
    const c = await makeClass();
    const api = callerFor(s, c.teacher);
    const { profileId: id } = await makeProfile(s, { groupId: c.groupId, imageId, flavorId });
    const lab = await makeLab(s, { groupId: c.groupId });
    const updated = await api.profiles.update({ id, throwaway: false, usbTablet: false, labIds: [lab] });
    expect(updated).toMatchObject({ throwaway: false, usbTablet: false });
    expect(updated.labs.map((l) => l.id)).toEqual([lab]);
    expect((await api.profiles.update({ id, labIds: [] })).labs).toEqual([]);

    const [pool] = await s.db.insert(pools).values({ labId: lab, profileId: id, size: 2, spare: 1 });
    expect((await refusal(api.profiles.delete({ id }))).code).toBe("profiles.usedByPool");
    await s.db.delete(pools).where(eq(pools.id, pool.insertId));
    const desktop = await makeProfileMachine(s, {
      profileId: id,
      kind: "desktop",
      ownerId: c.teacher.id,
      groupId: c.groupId,
      hostId,
      flavorId,
      imageId,
      state: "STOPPED",
    });
    expect((await refusal(api.profiles.delete({ id }))).code).toBe("profiles.hasDesktops");
    await s.db.update(instances).set({ state: "DELETED" }).where(eq(instances.id, desktop));
    await makeProfileMachine(s, {
      profileId: id,
      kind: "admin",
      ownerId: c.teacher.id,
      groupId: c.groupId,
      hostId,
      flavorId,
      imageId,
      state: "DELETED",
    });
    expect((await refusal(api.profiles.delete({ id }))).code).toBe("profiles.hasDesktops");
    await s.db.update(profiles).set({ adminInstanceId: null }).where(eq(profiles.id, id));
    await api.profiles.delete({ id });
    expect(await profileRow(id)).toBeUndefined();
  });

  it("setCurrentVersion goes back and forth between versions of the list, and no further", async () => {
    const c = await makeClass();
    const api = callerFor(s, c.teacher);
    const { profileId: id } = await makeProfile(s, { groupId: c.groupId, imageId, flavorId });
    const v2Image = await makeImageRow(s);
    await s.db.insert(profileVersions).values({ profileId: id, version: 2, imageId: v2Image, note: "v2" });
    await s.db.update(profiles).set({ currentVersion: 2 }).where(eq(profiles.id, id));
    const back = await api.profiles.setCurrentVersion({ id, version: 1 });
    expect(back.currentVersion).toBe(1);
    expect(back.currentImage.id).toBe(imageId);
    const forward = await api.profiles.setCurrentVersion({ id, version: 2 });
    expect(forward.currentImage.id).toBe(v2Image);
    expect(forward.versions.map((v) => [v.version, v.note])).toEqual([
      [2, "v2"],
      [1, ""],
    ]);
    expect((await refusal(api.profiles.setCurrentVersion({ id, version: 3 }))).code).toBe(
      "profiles.noSuchVersion",
    );
    expect((await profileRow(id))!.currentVersion).toBe(2);
  });

  it("clone: a new profile in the same or another class of the teacher's, sharing the current image", async () => {
    const c = await makeClass();
    const second = await makeGroup(s);
    await allowInCatalogue(s, second, { imageIds: [imageId], flavorIds: [flavorId] });
    const teacher = await makeUser(s, "powerAdm", [c.groupId, second]);
    const api = callerFor(s, teacher);
    const { profileId: id } = await makeProfile(s, { groupId: c.groupId, imageId, flavorId });
    const v2Image = await makeImageRow(s, { visibility: "group" });
    await s.db.update(images).set({ groupId: c.groupId }).where(eq(images.id, v2Image));
    await s.db.insert(profileVersions).values({ profileId: id, version: 2, imageId: v2Image });
    await s.db.update(profiles).set({ currentVersion: 2, diskBus: "sata" }).where(eq(profiles.id, id));

    const same = await api.profiles.clone({ id, name: "copy", groupId: c.groupId });
    expect(same).toMatchObject({ clonedFromId: id, currentVersion: 1, diskBus: "sata" });
    expect(same.versions.map((v) => v.imageId)).toEqual([v2Image]); // the same image id: one base
    // The source's current image is its class's own: another class's catalogue does not have it.
    expect((await refusal(api.profiles.clone({ id, name: "copy", groupId: second }))).code).toBe(
      "catalogue.imageNotAllowed",
    );
    await api.profiles.setCurrentVersion({ id, version: 1 });
    const across = await api.profiles.clone({ id, name: "copy", groupId: second });
    expect(across.group?.id).toBe(second);
    expect(across.currentImage.id).toBe(imageId);
    // Into a class the caller does not administer: refused.
    const stranger = await makeClass();
    expect((await refusal(api.profiles.clone({ id, name: "x", groupId: stranger.groupId }))).kind).toBe(
      "FORBIDDEN",
    );
  });
});

describe("admin mode", () => {
  it("is refused while a desktop of the profile runs, listing it and its student", async () => {
    const c = await makeClass();
    const api = callerFor(s, c.teacher);
    const { profileId: id } = await makeProfile(s, { groupId: c.groupId, imageId, flavorId });
    const desktop = await makeProfileMachine(s, {
      profileId: id,
      kind: "desktop",
      ownerId: c.teacher.id,
      groupId: c.groupId,
      hostId,
      flavorId,
      imageId,
      assignedTo: c.student.id,
    });
    const [row] = await s.db.select().from(instances).where(eq(instances.id, desktop));
    const running = await api.profiles.runningDesktops({ id });
    expect(running).toEqual([
      expect.objectContaining({ id: desktop, assignedTo: expect.objectContaining({ id: c.student.id }) }),
    ]);
    const r = await refusal(api.profiles.startAdminMode({ id }));
    expect(r.code).toBe("profiles.desktopsRunning");
    expect(String((r.params as { desktops: string }).desktops)).toContain(
      `${row!.name} (${c.student.username})`,
    );
    expect((await profileRow(id))!.adminInstanceId).toBeNull();
    // Stopped, it no longer holds admin mode back.
    await s.db.update(instances).set({ state: "STOPPED" }).where(eq(instances.id, desktop));
    expect((await api.profiles.startAdminMode({ id })).adminInstanceId).not.toBeNull();
  });

  it("starts a persistent admin machine from the current version; desktops and a second start are refused", async () => {
    const c = await makeClass();
    const jobs = recordingJobs();
    const api = callerFor(s, c.teacher, undefined, { jobs });
    const { profileId: id } = await makeProfile(s, { groupId: c.groupId, imageId, flavorId });
    await s.db.update(profiles).set({ firmware: "uefi", nicModel: "e1000" }).where(eq(profiles.id, id));
    const view = await api.profiles.startAdminMode({ id });
    const [inst] = await s.db.select().from(instances).where(eq(instances.id, view.adminInstanceId!));
    expect(inst).toMatchObject({
      kind: "admin",
      profileId: id,
      profileVersion: 1,
      throwaway: false,
      ownerId: c.teacher.id,
      groupId: c.groupId,
      imageId,
      hostId,
    });
    expect(inst!.hardware).toMatchObject({ firmware: "uefi", nicModel: "e1000", diskBus: "virtio" });
    expect(jobs.sent.map((j) => j.name)).toEqual(["instance.create"]);

    expect((await refusal(api.profiles.startAdminMode({ id }))).code).toBe("profiles.adminModeRuns");
    // A desktop asks the way pools do: under the profile's lock.
    const desktopStart = s.db.transaction(async (tx) => assertNotInAdminMode(await lockProfile(tx, id)));
    expect((await refusal(desktopStart)).code).toBe("profiles.inAdminMode");

    // Discard: the machine is deleted, desktops may start again.
    await s.db.update(instances).set({ state: "RUNNING", task: null }).where(eq(instances.id, inst!.id));
    const after = await api.profiles.discardAdminMode({ id });
    expect(after.adminInstanceId).toBeNull();
    const [gone] = await s.db.select().from(instances).where(eq(instances.id, inst!.id));
    expect(gone!.state).toBe("DELETING");
    expect(jobs.sent.map((j) => j.name)).toEqual(["instance.create", "instance.delete"]);
    await s.db.transaction(async (tx) => assertNotInAdminMode(await lockProfile(tx, id)));
    expect((await refusal(api.profiles.discardAdminMode({ id }))).code).toBe("profiles.notInAdminMode");
  });

  it("admin start and a desktop start racing under the profile's lock: exactly one wins, every time", async () => {
    const c = await makeClass();
    const api = callerFor(s, c.teacher);
    for (let round = 0; round < 8; round++) {
      const { profileId: id } = await makeProfile(s, { groupId: c.groupId, imageId, flavorId });
      // The desktop side as pools start one: lock, check admin mode, insert the desktop row, commit.
      const desktop = s.db.transaction(async (tx) => {
        assertNotInAdminMode(await lockProfile(tx, id));
        await tx.insert(instances).values({
          id: randomUUID(),
          name: uniqueName("desk"),
          ownerId: c.teacher.id,
          groupId: c.groupId,
          flavorId,
          imageId,
          vcpus: 1,
          memoryMiB: 256,
          diskGiB: 1,
          hostId,
          state: "SCHEDULED",
          kind: "desktop",
          profileId: id,
          profileVersion: 1,
        });
      });
      const admin = api.profiles.startAdminMode({ id });
      const [d, a] = await Promise.allSettled([desktop, admin]);
      expect([d.status, a.status].filter((x) => x === "fulfilled")).toHaveLength(1);
      const desktops = await s.db
        .select()
        .from(instances)
        .where(and(eq(instances.profileId, id), eq(instances.kind, "desktop")));
      const p = (await profileRow(id))!;
      if (a.status === "fulfilled") {
        expect(desktops).toHaveLength(0);
        expect(p.adminInstanceId).not.toBeNull();
      } else {
        expect(desktops).toHaveLength(1);
        expect(p.adminInstanceId).toBeNull();
        expect((await refusal(Promise.reject(a.reason))).code).toBe("profiles.desktopsRunning");
      }
    }
  });

  it("two publishes at once: one capture goes to the host, the other's task ends refused", async () => {
    const c = await makeClass();
    const jobs = recordingJobs();
    const api = callerFor(s, c.teacher, undefined, { jobs });
    const { profileId: id } = await makeProfile(s, { groupId: c.groupId, imageId, flavorId });
    await makeProfileMachine(s, {
      profileId: id,
      kind: "admin",
      ownerId: c.teacher.id,
      groupId: c.groupId,
      hostId,
      flavorId,
      imageId,
    });
    const results = await Promise.allSettled([
      api.profiles.publishAdminMode({ id, note: "one" }),
      api.profiles.publishAdminMode({ id, note: "two" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected")!;
    expect((await refusal(Promise.reject(lost.reason))).code).toBe("profiles.publishing");
    expect(jobs.sent.filter((j) => j.name === "instance.capture")).toHaveLength(1);
    const pubs = await s.db.select().from(profilePublications).where(eq(profilePublications.profileId, id));
    expect(pubs).toHaveLength(1);
  });

  it("publish: the captured disk becomes version N+1 with its note and author, pushed to the old base's hosts", async () => {
    const c = await makeClass();
    const jobs = recordingJobs();
    const api = callerFor(s, c.teacher, undefined, { jobs });
    // A real qcow2 as the host would upload it.
    writeFileSync(join(work, "d.raw"), randomBytes(1024 * 1024));
    execFileSync(
      "qemu-img",
      ["convert", "-f", "raw", "-O", "qcow2", join(work, "d.raw"), join(work, "d.qcow2")],
      {
        stdio: "pipe",
      },
    );
    const disk = readFileSync(join(work, "d.qcow2"));
    // The class's own image: its family takes the next version (a public base starts a family of the
    // class's instead: server/security/labs/publish-family.int.test.ts).
    const classImage = await makeImageRow(s, { visibility: "group" });
    await s.db.update(images).set({ groupId: c.groupId }).where(eq(images.id, classImage));
    const { profileId: id } = await makeProfile(s, { groupId: c.groupId, imageId: classImage, flavorId });
    const [base] = await s.db.select().from(images).where(eq(images.id, classImage));
    await s.db
      .insert(hostImages)
      .values({ hostId, sha256: base!.sha256, state: "cached", percent: 100 })
      .onDuplicateKeyUpdate({ set: { state: "cached" } });
    expect((await refusal(api.profiles.publishAdminMode({ id, note: "x" }))).code).toBe(
      "profiles.notInAdminMode",
    );
    const started = await api.profiles.startAdminMode({ id });
    const adminId = started.adminInstanceId!;
    // The agent built it (a real one in the capture tests); the teacher changed it through the console.
    await s.db.update(instances).set({ state: "RUNNING", task: null }).where(eq(instances.id, adminId));

    const { taskId } = await api.profiles.publishAdminMode({ id, note: "Installed LibreOffice" });
    expect(jobs.sent.find((j) => j.name === "instance.capture")?.data).toEqual({
      instanceId: adminId,
      taskId,
    });
    expect((await api.profiles.get({ id })).publishingTaskId).toBe(taskId);
    expect((await refusal(api.profiles.publishAdminMode({ id, note: "again" }))).code).toBe(
      "profiles.publishing",
    );
    expect((await refusal(api.profiles.discardAdminMode({ id }))).code).toBe("profiles.publishing");

    const { imageId: newImage } = await receiveCapture(
      { db: s.db, storeDir, maxBytes: 64 * 1024 * 1024, jobs, publisher: profilePublisher },
      { hostId, taskId, body: new Blob([new Uint8Array(disk)]).stream() },
    );
    const [img] = await s.db.select().from(images).where(eq(images.id, newImage));
    expect(img).toMatchObject({ familyId: classImage, version: 2, visibility: "group", groupId: c.groupId });
    const view = await api.profiles.get({ id });
    expect(view.currentVersion).toBe(2);
    expect(view.currentImage.id).toBe(newImage);
    expect(view.adminInstanceId).toBeNull();
    expect(view.publishingTaskId).toBeNull();
    expect(view.versions[0]).toMatchObject({
      version: 2,
      imageId: newImage,
      note: "Installed LibreOffice",
      createdBy: expect.objectContaining({ id: c.teacher.id }),
    });
    const [task] = await s.db.select().from(tasks).where(eq(tasks.id, taskId));
    expect(task!.state).toBe("succeeded");
    const [pub] = await s.db.select().from(profilePublications).where(eq(profilePublications.taskId, taskId));
    expect(pub!.version).toBe(2);
    // The admin machine goes; the host that holds the old base fetches the new one ahead of time.
    const [admin] = await s.db.select().from(instances).where(eq(instances.id, adminId));
    expect(admin!.state).toBe("DELETING");
    const sync = jobs.sent.find((j) => j.name === "image.sync");
    expect(sync).toMatchObject({
      hostId,
      data: expect.objectContaining({ image: expect.objectContaining({ id: newImage }) }),
    });
    // A desktop may start again; going back to version 1 is one call.
    await s.db.transaction(async (tx) => assertNotInAdminMode(await lockProfile(tx, id)));
    expect((await api.profiles.setCurrentVersion({ id, version: 1 })).currentImage.id).toBe(classImage);
    // The next admin mode boots the current version (1 again).
    const again = await api.profiles.startAdminMode({ id });
    const [next] = await s.db.select().from(instances).where(eq(instances.id, again.adminInstanceId!));
    expect(next).toMatchObject({ imageId: classImage, profileVersion: 1 });
    expect(await s.db.select().from(labProfiles).where(eq(labProfiles.profileId, id))).toEqual([]);
  });
});
