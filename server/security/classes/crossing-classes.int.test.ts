// Students and teachers trying to take more than they were given: reach into another class, pass a
// quota by racing or moving things, outlive a permission. Each test is an attack the portal must refuse;
// each failed against the code before its fix (found by an attacker's review of classes and quotas).
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { images, quotaLimits, users } from "@/db/schema";
import { verifyPassword } from "@/server/auth/password";
import { DomainError } from "@/server/domain/errors";
import { makePendingUser } from "@/server/testing/account-fixtures";
import {
  callerFor,
  makeGroup,
  allowInCatalogue,
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { imageQuotaRequest } from "@/server/domain/images/import-image";
import { authorizeImageUpload } from "@/server/domain/images/manage-images";
import { measureUsage } from "@/server/domain/quotas/measure-usage";
import { lockQuotas, precheckQuota } from "@/server/domain/quotas/reserve-quota";
import { uploadImageInput } from "@/common/images";

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(async () => {
  await s.close();
});

/** Runs an attack; true when every step went through (the attack worked), false when a step was refused. */
async function succeeds(attack: () => Promise<unknown>): Promise<boolean> {
  try {
    await attack();
    return true;
  } catch (err) {
    if (err instanceof TRPCError) return false;
    throw err;
  }
}

/** A user's own limits row, as superAdm would set it (never the shared role defaults: other files run too). */
async function setOwnLimits(userId: number, limits: Partial<Record<string, number | null>>) {
  await s.db
    .insert(quotaLimits)
    .values({ subject: "user", subjectId: String(userId), ...limits })
    .onDuplicateKeyUpdate({ set: limits });
}
async function setGroupLimitsRow(groupId: number, limits: Partial<Record<string, number | null>>) {
  await s.db
    .insert(quotaLimits)
    .values({ subject: "group", subjectId: String(groupId), ...limits })
    .onDuplicateKeyUpdate({ set: limits });
}

describe("a teacher reaches accounts of classes they do not administer through classes.addMembers", () => {
  it("takes over a student of another class: adds them to their own class, issues a reset link, redeems it", async () => {
    const classA = await makeGroup(s);
    const classB = await makeGroup(s);
    const teacherA = await makeUser(s, "powerAdm", [classA]);
    await makeUser(s, "powerAdm", [classB]); // classB's own teacher
    const victim = await makeUser(s, "powerUser", [classB]);
    const api = callerFor(s, teacherA);

    const worked = await succeeds(async () => {
      await api.classes.addMembers({ id: classA, usernames: [victim.username] });
      const link = await api.users.issueResetLink({ id: victim.id });
      const token = link.path.replace(/^\/reset\//, "");
      await callerFor(s, null).account.redeemResetLink({
        token,
        password: "taken-over-password-1",
        confirmPassword: "taken-over-password-1",
      });
    });
    const row = (await s.db.query.users.findFirst({ where: eq(users.id, victim.id) }))!;
    expect(await verifyPassword(row.passwordHash, "taken-over-password-1")).toBe(false);
    expect(worked).toBe(false);
  });

  it("approves (or rejects) a sign-up pending in another class, bypassing that class's teacher", async () => {
    const classA = await makeGroup(s);
    const signUpClass = await makeGroup(s);
    const teacherA = await makeUser(s, "powerAdm", [classA]);
    const pending = await makePendingUser(s, [signUpClass]);
    const api = callerFor(s, teacherA);

    const worked = await succeeds(async () => {
      await api.classes.addMembers({ id: classA, usernames: [pending.username] });
      await api.users.approve({ id: pending.id });
    });
    const row = (await s.db.query.users.findFirst({ where: eq(users.id, pending.id) }))!;
    expect(row.pendingApproval).toBe(true);
    expect(worked).toBe(false);
  });

  it("changes the quota of a student of another class", async () => {
    const classA = await makeGroup(s);
    const classB = await makeGroup(s);
    const teacherA = await makeUser(s, "powerAdm", [classA]);
    const victim = await makeUser(s, "user", [classB]);
    const api = callerFor(s, teacherA);

    const worked = await succeeds(async () => {
      await api.classes.addMembers({ id: classA, usernames: [victim.username] });
      await api.quotas.setUserLimits({ userId: victim.id, limits: { instances: 0, vcpus: 0 } });
    });
    expect(worked).toBe(false);
  });

  it("adds the superAdm to their class and then reads their account and tasks like a student's", async () => {
    const classA = await makeGroup(s);
    const teacherA = await makeUser(s, "powerAdm", [classA]);
    const admin = await makeUser(s, "superAdm");
    const api = callerFor(s, teacherA);

    const worked = await succeeds(async () => {
      await api.classes.addMembers({ id: classA, usernames: [admin.username] });
      await api.users.get({ id: admin.id });
    });
    expect(worked).toBe(false);
  });
});

describe("reset links outlive the reach that issued them", () => {
  it("a teacher's link for a student still works after superAdm makes the student a powerAdm", async () => {
    const classA = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [classA]);
    const student = await makeUser(s, "user", [classA]);
    const admin = await makeUser(s, "superAdm");
    const link = await callerFor(s, teacher).users.issueResetLink({ id: student.id });
    // Later that day the student becomes a lab assistant: a teacher may not reset a powerAdm.
    await callerFor(s, admin).users.update({ id: student.id, role: "powerAdm" });
    const worked = await succeeds(() =>
      callerFor(s, null).account.redeemResetLink({
        token: link.path.replace(/^\/reset\//, ""),
        password: "taken-over-password-2",
        confirmPassword: "taken-over-password-2",
      }),
    );
    expect(worked).toBe(false);
  });
});

describe("a teacher hands out more than superAdm gave", () => {
  it("raises a student's own limit that superAdm set, when the class has no limit of that kind", async () => {
    const classA = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [classA]);
    const student = await makeUser(s, "user", [classA]);
    await setOwnLimits(student.id, { vcpus: 2, instances: 1 }); // superAdm: this student gets 2 vCPUs
    const worked = await succeeds(() =>
      callerFor(s, teacher).quotas.setUserLimits({
        userId: student.id,
        limits: { vcpus: 10_000_000, instances: 10_000_000 },
      }),
    );
    expect(worked).toBe(false);
  });
});

describe("image moves escape the images quota (no reservation on updateImage)", () => {
  it("a powerUser moves their image into a group whose image limit is full", async () => {
    const groupA = await makeGroup(s);
    const groupB = await makeGroup(s);
    const pu = await makeUser(s, "powerUser", [groupA, groupB]);
    await setGroupLimitsRow(groupB, { images: 0, imageGiB: 0 });
    const img = await makeImageRow(s, { visibility: "private", ownerId: pu.id });
    await s.db.update(images).set({ groupId: groupA }).where(eq(images.id, img));

    await succeeds(() => callerFor(s, pu).images.update({ id: img, groupId: groupB }));
    const usage = await measureUsage(s.db, { groupId: groupB });
    expect(usage.images).toBeLessThanOrEqual(0);
  });

  it("a powerAdm turns a public image (counted for nobody) private beyond their images limit", async () => {
    const group = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [group]);
    await setOwnLimits(teacher.id, { images: 1 });
    await makeImageRow(s, { visibility: "private", ownerId: teacher.id }); // at the limit
    const published = await makeImageRow(s, { visibility: "public", ownerId: teacher.id });

    await succeeds(() => callerFor(s, teacher).images.update({ id: published, visibility: "private" }));
    const usage = await measureUsage(s.db, { ownerId: teacher.id });
    expect(usage.images).toBeLessThanOrEqual(1);
  });

  it("a powerUser escapes their class's image limit by uploading without naming the group", async () => {
    const group = await makeGroup(s);
    const pu = await makeUser(s, "powerUser", [group]);
    await setGroupLimitsRow(group, { images: 0, imageGiB: 0 });
    const input = uploadImageInput.parse({ name: "homework", format: "qcow2", visibility: "private" });
    const worked = await succeedsDomain(async () => {
      const image = await authorizeImageUpload(s.db, pu, input);
      await precheckQuota(s.db, imageQuotaRequest(image, 5 * 1024 ** 3));
    });
    expect(worked).toBe(false);
  });

  it("a teacher publishes an image (public: counted for nobody, offered to every class's catalogue editor)", async () => {
    const group = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [group]);
    const input = uploadImageInput.parse({ name: "mine", format: "qcow2", visibility: "public" });
    expect(await succeedsDomain(() => authorizeImageUpload(s.db, teacher, input))).toBe(false);
  });
});

describe("races between a hand-over and a resize", () => {
  it("a resize that read the old owner lands on the new owner beyond their quota (assign in between)", async () => {
    const group = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [group]);
    const from = await makeUser(s, "powerUser", [group]);
    const to = await makeUser(s, "user", [group]);
    await setOwnLimits(to.id, { vcpus: 1 });
    const imageId = await makeImageRow(s);
    const hostId = await makeHost(s, { cpuCount: 16, memoryMiB: 16384 });
    const small = await makeFlavor(s, { vcpus: 1, memoryMiB: 256, diskGiB: 1 });
    const big = await makeFlavor(s, { vcpus: 4, memoryMiB: 256, diskGiB: 1 });
    await allowInCatalogue(s, group, { imageIds: [imageId], flavorIds: [small, big] });
    const id = await makeInstanceRow(s, {
      ownerId: from.id,
      groupId: group,
      hostId,
      flavorId: small,
      imageId,
      state: "STOPPED",
    });

    // Something else of the old owner's holds their quota lock for a moment (any create of theirs).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = s.db.transaction(async (tx) => {
      await lockQuotas(tx, [from.id], null);
      locked();
      await held;
    });
    await isLocked;
    // The owner resizes (reads the row: owner = from), then waits for from's quota lock.
    const resizing = callerFor(s, from)
      .instances.resize({ id, flavorId: big })
      .then(
        () => "resized",
        () => "refused",
      );
    await new Promise((r) => setTimeout(r, 500));
    // Meanwhile the teacher hands the 1-vCPU machine to `to` (within to's limit of 1 vCPU).
    await callerFor(s, teacher).instances.assign({ id, ownerId: to.id });
    release();
    await holder;
    await resizing;

    const usage = await measureUsage(s.db, { ownerId: to.id });
    expect(usage.vcpus).toBeLessThanOrEqual(1);
  });
});

describe("two hand-overs to one student at once", () => {
  it("both pass the student's last instance: assign reads counts (REPEATABLE READ snapshot) before it takes the quota lock", async () => {
    const group = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [group]);
    const student = await makeUser(s, "user", [group]);
    await setOwnLimits(student.id, { instances: 1 });
    const imageId = await makeImageRow(s);
    const hostId = await makeHost(s, { cpuCount: 16, memoryMiB: 16384 });
    const flavorId = await makeFlavor(s);
    const machine = () =>
      makeInstanceRow(s, {
        ownerId: teacher.id,
        groupId: group,
        hostId,
        flavorId,
        imageId,
        state: "STOPPED",
      });
    const [x, y] = [await machine(), await machine()];

    // Any create of the student's holds their quota lock for a moment while both hand-overs start.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = s.db.transaction(async (tx) => {
      await lockQuotas(tx, [student.id], null);
      locked();
      await held;
    });
    await isLocked;
    const api = callerFor(s, teacher);
    const both = Promise.allSettled([
      api.instances.assign({ id: x, ownerId: student.id }),
      api.instances.assign({ id: y, ownerId: student.id }),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    release();
    await holder;
    await both;

    const usage = await measureUsage(s.db, { ownerId: student.id });
    expect(usage.instances).toBeLessThanOrEqual(1);
  });
});

describe("uploads in flight reserve nothing", () => {
  it("a powerUser with 1 GiB of images opens five 1 GiB uploads at once: every one is accepted", async () => {
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { createTusServer } = await import("@/server/uploads/tus-server");
    const { formatUploadMetadata } = await import("@/server/uploads/tus-headers");
    const { userCaller } = await import("@/server/domain/policies/caller");
    const group = await makeGroup(s);
    const pu = await makeUser(s, "powerUser", [group]);
    await setOwnLimits(pu.id, { imageGiB: 1 });
    const tus = createTusServer({
      db: s.db,
      storeDir: await mkdtemp(join(tmpdir(), "review-tus-")),
      maxBytes: 64 * 1024 ** 3,
      convertTimeoutSeconds: 60,
      basePath: "/api/v1/uploads",
      resolveCaller: async () => userCaller(pu),
    });
    const create = () =>
      tus.create(
        new Request("http://portal/api/v1/uploads", {
          method: "POST",
          headers: {
            "tus-resumable": "1.0.0",
            "upload-length": String(1024 ** 3),
            "upload-metadata": formatUploadMetadata({ name: "big", format: "raw", visibility: "private" }),
          },
        }),
      );
    const answers = await Promise.all([create(), create(), create(), create(), create()]);
    // Each may fill the portal's incoming directory with 1 GiB before the import refuses all but one.
    expect(answers.filter((a) => a.status === 201).length).toBeLessThanOrEqual(1);
  });
});

/** succeeds() for domain functions called directly (DomainError instead of TRPCError). */
async function succeedsDomain(attack: () => Promise<unknown>): Promise<boolean> {
  try {
    await attack();
    return true;
  } catch (err) {
    if (err instanceof DomainError) return false;
    throw err;
  }
}
