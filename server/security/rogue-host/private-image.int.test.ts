// Issue 11 item 7: what a host may touch over HTTP. It fetches only the images its own work needs (an
// instance placed on it, or an image.sync task for it still under way), never a deleted one, and it
// uploads a capture only to a capture task of its own.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const storeDir = await mkdtemp(join(tmpdir(), "educloud-rogue-img-"));
process.env.IMAGE_STORE_DIR = storeDir; // read by the routes' settings, imported below

const { images, instanceCaptures, tasks } = await import("@/db/schema");
const { makeFlavor, makeInstanceRow, makeUser, openTestServices } = await import("@/server/testing/fixtures");
const { importImage, incomingDir } = await import("@/server/domain/images/import-image");
const { createTask, updateTask } = await import("@/server/domain/tasks/manage-tasks");
const { msg } = await import("@/common/message");
const { hostWithCredential } = await import("./host-credential");
const imageRoute = await import("@/app/api/v1/agent/images/[id]/content/route");
const captureRoute = await import("@/app/api/v1/agent/captures/[taskId]/route");

let s: ReturnType<typeof openTestServices>;
let owner: { id: number };
let flavorId: number;
let privateImage: { id: string; sha256: string };

async function storedImage(visibility: "public" | "private") {
  await mkdir(incomingDir(storeDir), { recursive: true });
  const incomingPath = join(incomingDir(storeDir), randomBytes(6).toString("hex"));
  writeFileSync(incomingPath, randomBytes(64 * 1024));
  return importImage(
    { db: s.db, storeDir },
    { incomingPath, name: `img-${visibility}`, format: "raw", visibility, ownerId: owner.id },
  );
}

async function fetchImage(authorization: string, id: string): Promise<number> {
  const res = await imageRoute.GET(
    new Request(`http://portal/api/v1/agent/images/${id}/content`, { headers: { authorization } }),
    { params: Promise.resolve({ id }) },
  );
  await res.body?.cancel();
  return res.status;
}

async function syncTask(hostId: string, imageId: string): Promise<string> {
  return createTask(s.db, {
    kind: "image.sync",
    targetType: "image",
    targetId: imageId,
    targetName: "sync",
    hostId,
    createdBy: null,
    message: msg("tasks.queuedForAgent"),
  });
}

beforeAll(async () => {
  s = openTestServices();
  owner = await makeUser(s, "powerUser");
  flavorId = await makeFlavor(s);
  privateImage = await storedImage("private");
});
afterAll(async () => {
  await s?.close();
  await rm(storeDir, { recursive: true, force: true });
});

describe("rogue-host: images a host may fetch", () => {
  it("serves an image to the host an instance using it is placed on, and refuses another host (404)", async () => {
    const mine = await hostWithCredential(s);
    const rogue = await hostWithCredential(s);
    await makeInstanceRow(s, {
      ownerId: owner.id,
      groupId: null,
      hostId: mine.hostId,
      flavorId,
      imageId: privateImage.id,
    });
    expect(await fetchImage(mine.authorization, privateImage.id)).toBe(200);
    expect(await fetchImage(rogue.authorization, privateImage.id)).toBe(404);
  });

  it("refuses a public image too when the host has no work that needs it", async () => {
    const publicImage = await storedImage("public");
    const rogue = await hostWithCredential(s);
    expect(await fetchImage(rogue.authorization, publicImage.id)).toBe(404);
  });

  it("an instance of that host that is deleted is no reason any more", async () => {
    const host = await hostWithCredential(s);
    const image = await storedImage("private");
    await makeInstanceRow(s, {
      ownerId: owner.id,
      groupId: null,
      hostId: host.hostId,
      flavorId,
      imageId: image.id,
      state: "DELETED",
    });
    expect(await fetchImage(host.authorization, image.id)).toBe(404);
  });

  it("serves an image while a sync task for that host is under way, not after it ended", async () => {
    const host = await hostWithCredential(s);
    const other = await hostWithCredential(s);
    const image = await storedImage("private");
    const taskId = await syncTask(host.hostId, image.id);
    expect(await fetchImage(host.authorization, image.id)).toBe(200);
    expect(await fetchImage(other.authorization, image.id)).toBe(404);
    await updateTask(s.db, taskId, { state: "running" });
    expect(await fetchImage(host.authorization, image.id)).toBe(200);
    await updateTask(s.db, taskId, { state: "succeeded" });
    expect(await fetchImage(host.authorization, image.id)).toBe(404);
  });

  it("never serves a deleted image, even to the host whose instance uses it", async () => {
    const host = await hostWithCredential(s);
    const image = await storedImage("private");
    await makeInstanceRow(s, {
      ownerId: owner.id,
      groupId: null,
      hostId: host.hostId,
      flavorId,
      imageId: image.id,
    });
    await syncTask(host.hostId, image.id);
    expect(await fetchImage(host.authorization, image.id)).toBe(200);
    await s.db.update(images).set({ deletedAt: new Date() }).where(eq(images.id, image.id));
    expect(await fetchImage(host.authorization, image.id)).toBe(404);
  });
});

describe("rogue-host: captures a host may upload", () => {
  it("refuses a capture upload to another host's task and leaves the task untouched", async () => {
    const mine = await hostWithCredential(s);
    const rogue = await hostWithCredential(s);
    const instanceId = await makeInstanceRow(s, {
      ownerId: owner.id,
      groupId: null,
      hostId: mine.hostId,
      flavorId,
      imageId: privateImage.id,
      state: "STOPPED",
    });
    const taskId = await createTask(s.db, {
      kind: "instance.capture",
      targetType: "image",
      targetId: null,
      targetName: "capture",
      hostId: mine.hostId,
      createdBy: owner.id,
      message: msg("tasks.queuedForAgent"),
    });
    await s.db.insert(instanceCaptures).values({
      taskId,
      instanceId,
      hostId: mine.hostId,
      imageName: "captured",
      ownerId: owner.id,
    });
    const put = async (authorization: string) => {
      const res = await captureRoute.PUT(
        new Request(`http://portal/api/v1/agent/captures/${taskId}`, {
          method: "PUT",
          headers: { authorization },
          body: randomBytes(4096),
          duplex: "half",
        } as RequestInit),
        { params: Promise.resolve({ taskId }) },
      );
      await res.body?.cancel();
      return res.status;
    };
    expect(await put(rogue.authorization)).toBe(404);
    const [task] = await s.db.select().from(tasks).where(eq(tasks.id, taskId));
    expect(task).toMatchObject({ state: "queued", targetId: null });
    // The task's own host gets past the check (its bytes are no qcow2, so the import then refuses them).
    expect(await put(mine.authorization)).not.toBe(404);
  });
});
