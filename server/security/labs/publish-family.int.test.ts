// Admin mode publishes "the next version of the profile's image family" (publications.ts). A teacher's
// profile may start from a public image (superAdm's, in the class's catalogue): publishing then adds a
// version to the superAdm's family, which an upload may not do (authorizeImageUpload: a new version only
// of an image the caller may manage). Found by the attacker review of labs.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { images, instanceCaptures, profilePublications, profileVersions, tasks } from "@/db/schema";
import { receiveCapture } from "@/server/domain/captures/receive-capture";
import { profilePublisher } from "@/server/domain/profiles/publications";
import { authorizeImageUpload } from "@/server/domain/images/manage-images";
import { uploadImageInput } from "@/common/images";
import { createTask } from "@/server/domain/tasks/manage-tasks";
import {
  makeGroup,
  makeHost,
  makeImageRow,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeProfile, makeProfileMachine } from "@/server/testing/lab-fixtures";

const work = await mkdtemp(join(tmpdir(), "labs-review-publish-"));
let s: TestServices;
let disk: Buffer;
beforeAll(() => {
  s = openTestServices();
  writeFileSync(join(work, "d.raw"), randomBytes(1024 * 1024));
  execFileSync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", join(work, "d.raw"), join(work, "d")], {
    stdio: "pipe",
  });
  disk = readFileSync(join(work, "d"));
});
afterAll(async () => {
  await s.close();
  await rm(work, { recursive: true, force: true });
});

describe("a teacher publishes admin mode of a profile built on a public image", () => {
  it("the published image joins the superAdm's public family: it must start the class's own family", async () => {
    const admin = await makeUser(s, "superAdm");
    const publicImage = await makeImageRow(s, { visibility: "public", ownerId: admin.id });
    const groupId = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [groupId]);
    const [base] = await s.db.select().from(images).where(eq(images.id, publicImage));
    // The teacher could not add a version to this family by upload (the control: refused there).
    const upload = uploadImageInput.parse({
      name: "v2",
      format: "qcow2",
      visibility: "group",
      groupId,
      newVersionOf: publicImage,
    });
    await expect(authorizeImageUpload(s.db, teacher, upload)).rejects.toMatchObject({ kind: "FORBIDDEN" });

    const hostId = await makeHost(s);
    const p = await makeProfile(s, { groupId, imageId: publicImage });
    const adminInstance = await makeProfileMachine(s, {
      profileId: p.profileId,
      kind: "admin",
      ownerId: teacher.id,
      groupId,
      hostId,
      flavorId: p.flavorId,
      imageId: publicImage,
    });
    // What publishAdminMode leaves: a capture task of the admin machine and its publication row.
    const taskId = await createTask(s.db, {
      kind: "instance.capture",
      targetType: "image",
      targetId: null,
      targetName: "published",
      hostId,
      createdBy: teacher.id,
    });
    await s.db.update(tasks).set({ state: "running" }).where(eq(tasks.id, taskId));
    await s.db.insert(instanceCaptures).values({
      taskId,
      instanceId: adminInstance,
      hostId,
      imageName: "published",
      ownerId: teacher.id,
      groupId,
    });
    await s.db.insert(profilePublications).values({
      taskId,
      profileId: p.profileId,
      instanceId: adminInstance,
      baseImageId: publicImage,
      note: "v2",
      createdBy: teacher.id,
    });

    const { imageId } = await receiveCapture(
      { db: s.db, storeDir: join(work, "store"), maxBytes: 64 * 1024 * 1024, publisher: profilePublisher },
      { hostId, taskId, body: new Blob([new Uint8Array(disk)]).stream() },
    );
    const [made] = await s.db.select().from(images).where(eq(images.id, imageId));
    expect(made!.groupId).toBe(groupId);
    expect(made!.familyId ?? made!.id).not.toBe(base!.familyId ?? base!.id);
    // It is the profile's version 2 all the same (stored through the publication, not as a plain capture).
    const [v2] = await s.db
      .select()
      .from(profileVersions)
      .where(and(eq(profileVersions.profileId, p.profileId), eq(profileVersions.version, 2)));
    expect(v2?.imageId).toBe(imageId);
  });
});
