// The classroom view's thumbnail route on real parts: the portal's route handler (session, permission
// table, scope), a real agent (its own OS process, joined over HTTP, holding the portal's console key)
// and QEMU running the test guest. The PNG comes from the host (QMP screendump through the console
// bridge, with a single-use grant of kind "thumbnail"); nothing in the guest takes it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const storeDir = await mkdtemp(join(tmpdir(), "educloud-store-"));
process.env.IMAGE_STORE_DIR = storeDir; // read by the image route's settings, imported below

const { instances, pools } = await import("@/db/schema");
const { startComputeStack } = await import("@/server/testing/compute-stack");
const { makeGroup, makeUser } = await import("@/server/testing/fixtures");
const { makeLab, makeProfile } = await import("@/server/testing/lab-fixtures");
const { sessionCookieFor } = await import("@/server/testing/tus-client");
const { getServices } = await import("@/server/services");
const imageRoute = await import("@/app/api/v1/agent/images/[id]/content/route");
const joinRoute = await import("@/app/api/v1/agent/join/route");
const consoleKeyRoute = await import("@/app/api/v1/agent/console-key/route");
const thumbnailRoute = await import("@/app/api/v1/desktops/[id]/thumbnail/route");

const SECRET = getServices().settings.sessionSecret;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let stack: Awaited<ReturnType<typeof startComputeStack>>;
let desktopId: string;
let teacher: { id: number };
let otherTeacher: { id: number };
let student: { id: number };

async function getThumbnail(userId: number, id = desktopId): Promise<Response> {
  const cookie = await sessionCookieFor(stack.s, userId, SECRET);
  return thumbnailRoute.GET(
    new Request(`http://portal/api/v1/desktops/${id}/thumbnail`, { headers: { cookie } }),
    { params: Promise.resolve({ id }) },
  );
}

/** PNG width and height from its IHDR chunk. */
const sizeOf = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

beforeAll(async () => {
  stack = await startComputeStack({
    storeDir,
    imageRoute: imageRoute.GET as never,
    joinRoute: joinRoute.POST,
    consoleKeyRoute: consoleKeyRoute.GET,
  });
  const groupId = await makeGroup(stack.s);
  const otherGroupId = await makeGroup(stack.s);
  teacher = await makeUser(stack.s, "powerAdm", [groupId]);
  otherTeacher = await makeUser(stack.s, "powerAdm", [otherGroupId]);
  student = await makeUser(stack.s, "user", [groupId]);
  const { profileId } = await makeProfile(stack.s, {
    groupId,
    imageId: stack.imageId,
    flavorId: stack.flavorId,
  });
  const labId = await makeLab(stack.s, { groupId });
  const [pool] = await stack.s.db.insert(pools).values({ labId, profileId, size: 1, spare: 1 });
  // A real running VM on the agent, then made this lab's desktop handed to the student (rows, as the
  // pool would have them): the route is what is tested here, not the pool controller.
  const created = await stack.caller.instances.create({
    name: "thumb-1",
    imageId: stack.imageId,
    flavorId: stack.flavorId,
  });
  desktopId = created.id;
  await stack.waitForState(desktopId, "RUNNING");
  await stack.s.db
    .update(instances)
    .set({
      kind: "desktop",
      poolId: pool.insertId,
      profileId,
      profileVersion: 1,
      groupId,
      assignedTo: student.id,
    })
    .where(eq(instances.id, desktopId));
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await rm(storeDir, { recursive: true, force: true });
}, 120_000);

describe("GET /api/v1/desktops/:id/thumbnail on a real host", () => {
  it("gives the lab group's teacher a PNG of the desktop's screen, never cached", async () => {
    // Running is QEMU started; the display may need a moment before the first screendump answers.
    let res: Response | null = null;
    for (let i = 0; i < 30; i++) {
      res = await getThumbnail(teacher.id);
      if (res.status === 200) break;
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(res!.status).toBe(200);
    expect(res!.headers.get("content-type")).toBe("image/png");
    expect(res!.headers.get("cache-control")).toBe("no-store");
    const png = Buffer.from(await res!.arrayBuffer());
    expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    const { width, height } = sizeOf(png);
    expect(width).toBeGreaterThanOrEqual(320);
    expect(height).toBeGreaterThanOrEqual(200);
  }, 60_000);

  it("each request takes a fresh grant: two in a row both succeed", async () => {
    const a = await getThumbnail(teacher.id);
    const b = await getThumbnail(teacher.id);
    expect([a.status, b.status]).toEqual([200, 200]);
    await Promise.all([a.body?.cancel(), b.body?.cancel()]);
  }, 30_000);

  it("refuses the teacher of another class (scope) and the student (role)", async () => {
    const other = await getThumbnail(otherTeacher.id);
    expect(other.status).toBe(403);
    expect(other.headers.get("content-type")).not.toBe("image/png");
    await other.body?.cancel();
    const own = await getThumbnail(student.id);
    expect(own.status).toBe(403);
    await own.body?.cancel();
  });

  it("an unknown desktop is 404; an instance that is not a desktop is refused", async () => {
    const unknown = await getThumbnail(teacher.id, "00000000-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
    await unknown.body?.cancel();
    const plain = await stack.caller.instances.create({
      name: "thumb-plain",
      imageId: stack.imageId,
      flavorId: stack.flavorId,
    });
    const res = await getThumbnail(teacher.id, plain.id);
    expect(res.status).toBe(400);
    await res.body?.cancel();
  }, 30_000);

  it("a stopped desktop has no screen: 409, and no PNG", async () => {
    await stack.caller.instances.stop({ id: desktopId });
    await stack.waitForState(desktopId, "STOPPED");
    const res = await getThumbnail(teacher.id);
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).not.toBe("image/png");
    await res.body?.cancel();
  }, 120_000);
});
