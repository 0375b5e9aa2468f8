// Images and their quotas beyond the import: a change of visibility or group reserves what it adds (a
// group→group move charges the new group only), an upload lands in the uploader's group, public images
// are superAdm's, and uploads in flight hold their room (announced length, at most MAX_OPEN_UPLOADS each).
import { mkdtemp, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_OPEN_UPLOADS, uploadImageInput } from "@/common/images";
import { images, quotaLimits } from "@/db/schema";
import { DomainError } from "@/server/domain/errors";
import { userCaller } from "@/server/domain/policies/caller";
import { measureUsage } from "@/server/domain/quotas/measure-usage";
import {
  callerFor,
  makeGroup,
  makeImageRow,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { formatUploadMetadata } from "@/server/uploads/tus-headers";
import { createTusServer } from "@/server/uploads/tus-server";
import { authorizeImageUpload } from "./manage-images";

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(async () => {
  await s.close();
});

async function setLimits(subject: "user" | "group", id: number, limits: Record<string, number | null>) {
  await s.db
    .insert(quotaLimits)
    .values({ subject, subjectId: String(id), ...limits })
    .onDuplicateKeyUpdate({ set: limits });
}
async function imageIn(ownerId: number, groupId: number | null, visibility: "private" | "group" | "public") {
  const id = await makeImageRow(s, { ownerId, visibility });
  await s.db.update(images).set({ groupId }).where(eq(images.id, id));
  return id;
}
const placeOf = async (id: string) =>
  (
    await s.db
      .select({ visibility: images.visibility, groupId: images.groupId })
      .from(images)
      .where(eq(images.id, id))
  )[0];

/** The refusal's message code and parameters (tRPC wraps the DomainError). */
async function refusal(p: Promise<unknown>): Promise<{ code: string; params: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const e = err instanceof TRPCError ? err.cause : err;
    if (e instanceof DomainError)
      return { code: e.code, params: (e.params ?? {}) as Record<string, unknown> };
    throw err;
  }
  throw new Error("not refused");
}

describe("changing an image's visibility or group", () => {
  it("a group→group move charges the new group only, not the owner again", async () => {
    const [a, b] = [await makeGroup(s), await makeGroup(s)];
    const teacher = await makeUser(s, "powerAdm", [a, b]);
    await setLimits("user", teacher.id, { images: 1 });
    await setLimits("group", b, { images: 1 });
    const img = await imageIn(teacher.id, a, "group"); // the owner is at their limit
    await callerFor(s, teacher).images.update({ id: img, groupId: b });
    expect(await placeOf(img)).toEqual({ visibility: "group", groupId: b });
    expect((await measureUsage(s.db, { ownerId: teacher.id })).images).toBe(1);
    expect((await measureUsage(s.db, { groupId: b })).images).toBe(1);
    // Another image into the full group B: refused, naming the group, its limit and its use.
    const other = await imageIn(teacher.id, a, "private");
    await setLimits("user", teacher.id, { images: null });
    const r = await refusal(callerFor(s, teacher).images.update({ id: other, groupId: b }));
    expect(r.code).toBe("quotas.exceeded");
    expect(r.params).toMatchObject({ scope: "group", quota: "images", limit: 1, used: 1, requested: 1 });
    expect(await placeOf(other)).toEqual({ visibility: "private", groupId: a });
  });

  it("making a public image private charges its owner (and group)", async () => {
    const g = await makeGroup(s);
    const admin = await makeUser(s, "superAdm", [g]);
    await setLimits("user", admin.id, { images: 0 });
    const img = await imageIn(admin.id, null, "public");
    const r = await refusal(callerFor(s, admin).images.update({ id: img, visibility: "private" }));
    expect(r.params).toMatchObject({ scope: "self", quota: "images", limit: 0, used: 0 });
    expect(await placeOf(img)).toEqual({ visibility: "public", groupId: null });
  });

  it("two moves into a group with room for one: one lands", async () => {
    const [a, b] = [await makeGroup(s), await makeGroup(s)];
    const teacher = await makeUser(s, "powerAdm", [a, b]);
    await setLimits("group", b, { images: 1 });
    const [x, y] = [await imageIn(teacher.id, a, "group"), await imageIn(teacher.id, a, "group")];
    const api = callerFor(s, teacher);
    const results = await Promise.allSettled([
      api.images.update({ id: x, groupId: b }),
      api.images.update({ id: y, groupId: b }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await measureUsage(s.db, { groupId: b })).images).toBe(1);
  });

  it("a non-superAdm cannot take an image out of its group; superAdm can", async () => {
    const g = await makeGroup(s);
    const pu = await makeUser(s, "powerUser", [g]);
    const img = await imageIn(pu.id, g, "private");
    const r = await refusal(callerFor(s, pu).images.update({ id: img, groupId: null }));
    expect(r.code).toBe("images.keepInGroup");
    expect((await placeOf(img))!.groupId).toBe(g);
    await callerFor(s, await makeUser(s, "superAdm")).images.update({ id: img, groupId: null });
    expect((await placeOf(img))!.groupId).toBeNull();
  });

  it("a teacher may not publish, but may still edit a public image of theirs without changing that", async () => {
    const g = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [g]);
    const mine = await imageIn(teacher.id, g, "group");
    const r = await refusal(callerFor(s, teacher).images.update({ id: mine, visibility: "public" }));
    expect(r.code).toBe("images.publicSuperAdmOnly");
    const published = await imageIn(teacher.id, null, "public");
    await callerFor(s, teacher).images.update({ id: published, visibility: "public", osType: "debian" });
    expect(await placeOf(published)).toEqual({ visibility: "public", groupId: null });
    // Taking it back lands it in their group, as an upload would.
    await callerFor(s, teacher).images.update({ id: published, visibility: "private" });
    expect(await placeOf(published)).toEqual({ visibility: "private", groupId: g });
  });
});

describe("where an upload lands", () => {
  const input = (visibility: "private" | "group" | "public", groupId?: number) =>
    uploadImageInput.parse({ name: "x", format: "raw", visibility, ...(groupId ? { groupId } : {}) });

  it("a non-superAdm's private upload goes to their first group; no group only for those in none", async () => {
    const [g, h] = [await makeGroup(s), await makeGroup(s)];
    expect(
      (await authorizeImageUpload(s.db, await makeUser(s, "powerUser", [g, h]), input("private"))).groupId,
    ).toBe(g);
    expect(
      (await authorizeImageUpload(s.db, await makeUser(s, "powerUser"), input("private"))).groupId,
    ).toBeNull();
    expect(
      (await authorizeImageUpload(s.db, await makeUser(s, "superAdm", [g]), input("private"))).groupId,
    ).toBeNull();
    // Naming a group of someone else's is refused, not quietly dropped.
    const r = await refusal(
      authorizeImageUpload(s.db, await makeUser(s, "powerUser", [g]), input("private", h)),
    );
    expect(r.code).toBe("auth.notMemberOfGroup");
  });

  it("public uploads are superAdm's", async () => {
    const g = await makeGroup(s);
    expect(
      (await refusal(authorizeImageUpload(s.db, await makeUser(s, "powerAdm", [g]), input("public")))).code,
    ).toBe("images.publicSuperAdmOnly");
    expect(
      (await refusal(authorizeImageUpload(s.db, await makeUser(s, "powerUser", [g]), input("public")))).code,
    ).toBe("images.privateOnly");
    expect(
      (await authorizeImageUpload(s.db, await makeUser(s, "superAdm"), input("public"))).visibility,
    ).toBe("public");
  });
});

describe("uploads in flight", () => {
  const GiB = 1024 ** 3;
  async function tusFor(actor: Awaited<ReturnType<typeof makeUser>>, storeDir: string) {
    const tus = createTusServer({
      db: s.db,
      storeDir,
      maxBytes: 64 * GiB,
      convertTimeoutSeconds: 60,
      basePath: "/api/v1/uploads",
      resolveCaller: async () => userCaller(actor),
    });
    const create = async (length: number) => {
      const res = await tus.create(
        new Request("http://portal/api/v1/uploads", {
          method: "POST",
          headers: {
            "tus-resumable": "1.0.0",
            "upload-length": String(length),
            "upload-metadata": formatUploadMetadata({ name: "u", format: "raw", visibility: "private" }),
          },
        }),
      );
      return {
        status: res.status,
        body: res.status === 201 ? null : await res.json(),
        location: res.headers.get("location"),
      };
    };
    const terminate = (location: string) =>
      tus.terminate(
        new Request(`http://portal${location}`, { method: "DELETE", headers: { "tus-resumable": "1.0.0" } }),
        location.split("/").pop()!,
      );
    return { create, terminate };
  }

  it(`one person may have ${MAX_OPEN_UPLOADS} open at a time; cancelling one frees its slot`, async () => {
    const store = await mkdtemp(join(tmpdir(), "img-quota-"));
    const pu = await makeUser(s, "powerUser");
    const tus = await tusFor(pu, store);
    const first = await tus.create(1024);
    expect(first.status).toBe(201);
    for (let i = 1; i < MAX_OPEN_UPLOADS; i++) expect((await tus.create(1024)).status).toBe(201);
    const over = await tus.create(1024);
    expect(over.status).toBe(409);
    expect(over.body.serverMessage).toMatchObject({
      code: "images.tooManyUploads",
      params: { open: MAX_OPEN_UPLOADS, max: MAX_OPEN_UPLOADS },
    });
    expect((await tus.terminate(first.location!)).status).toBe(204);
    expect((await tus.create(1024)).status).toBe(201);
  });

  it("a group's members' open uploads count against the group's image GiB; forgotten ones do not", async () => {
    const store = await mkdtemp(join(tmpdir(), "img-quota-"));
    const g = await makeGroup(s);
    await setLimits("group", g, { imageGiB: 1 });
    const [a, b] = [await makeUser(s, "powerUser", [g]), await makeUser(s, "powerUser", [g])];
    const first = await (await tusFor(a, store)).create(0.75 * GiB);
    expect(first.status).toBe(201);
    const refused = await (await tusFor(b, store)).create(0.5 * GiB);
    expect(refused.status).toBe(403);
    expect(refused.body.serverMessage).toMatchObject({
      code: "quotas.exceeded",
      params: { scope: "group", quota: "imageGiB", limit: 1, used: 0.75, requested: 0.5 },
    });
    // A day without progress: the sweep's, and no longer held.
    const id = first.location!.split("/").pop()!;
    const old = new Date(Date.now() - 25 * 3600 * 1000);
    for (const f of [id, `${id}.json`]) await utimes(join(store, ".uploads", f), old, old);
    expect((await (await tusFor(b, store)).create(0.5 * GiB)).status).toBe(201);
  });
});
