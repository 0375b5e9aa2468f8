// Every path that creates something a quota counts refuses, atomically and under concurrency, what
// would pass the limit, and names the quota, the limit and the use: volumes (disk GiB with instance
// disks), snapshots, images (an import's count and GiB; an upload refused at its first request by the
// announced size; a capture before its copy starts) and addresses a user takes.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq, isNull, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { images, quotaLimits, snapshots, tasks, volumes } from "@/db/schema";
import { env } from "@/server/env";
import { getServices } from "@/server/services";
import { captureInstance } from "@/server/domain/captures/capture-instance";
import { importImage, incomingDir } from "@/server/domain/images/import-image";
import {
  callerFor,
  contextFor,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeNetwork,
  makeUser,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";
import { serveRoutes } from "@/server/testing/serve-route";
import { createTusClient, sessionCookieFor } from "@/server/testing/tus-client";

const work = await mkdtemp(join(tmpdir(), "quota-test-"));
const store = join(work, "store");
Object.assign(getServices().settings, { imageStoreDir: store, imageMaxBytes: 64 * 1024 ** 3 });
const creation = await import("@/app/api/v1/uploads/route");

let s: TestServices;
let hostId: string;
let flavorId: number;
let imageId: string;
const jobs = recordingJobs();
const as = (actor: Parameters<typeof callerFor>[1]) => callerFor(s, actor, undefined, { jobs });

type Limits = Partial<
  Record<"instances" | "diskGiB" | "snapshots" | "images" | "imageGiB" | "ipAddresses", number>
>;
const limitUser = (id: number, l: Limits) =>
  s.db.insert(quotaLimits).values({ subject: "user", subjectId: String(id), ...l });
const limitGroup = (id: number, l: Limits) =>
  s.db.insert(quotaLimits).values({ subject: "group", subjectId: String(id), ...l });
const reasons = (results: PromiseSettledResult<unknown>[]) =>
  results
    .filter((r): r is PromiseRejectedResult => r.status === "rejected")
    .map((r) => String((r.reason as Error).message));

beforeAll(async () => {
  s = openTestServices();
  hostId = await makeHost(s, { cpuCount: 64, memoryMiB: 262_144 });
  flavorId = await makeFlavor(s);
  imageId = await makeImageRow(s);
});
afterAll(async () => {
  await s?.close();
  await rm(work, { recursive: true, force: true });
});

describe("volumes count in the disk quota", () => {
  it("a group's members together get exactly the group's disk GiB, and the refusal names the group", async () => {
    const group = await makeGroup(s, `class-${randomBytes(3).toString("hex")}`);
    await limitGroup(group, { diskGiB: 22 });
    const members = await Promise.all([1, 2].map(() => makeUser(s, "powerUser", [group])));
    // Two 1 GiB instance disks already count: 20 GiB are left, so four 5 GiB volumes of eight fit.
    const vms = await Promise.all(
      members.map((m) => makeInstanceRow(s, { ownerId: m.id, groupId: group, hostId, flavorId, imageId })),
    );
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        as(members[i % 2]!).volumes.create({ instanceId: vms[i % 2]!, name: `v${i}`, sizeGiB: 5 }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(4);
    const live = await s.db
      .select({ id: volumes.id })
      .from(volumes)
      .where(and(eq(volumes.groupId, group), ne(volumes.state, "deleted")));
    expect(live).toHaveLength(4);
    expect(reasons(results)[0]).toMatch(
      /Quota reached: group class-\w+'s limit for disk \(GiB\) is 22, 22 in use; this needs 5 more/,
    );
  });
});

describe("snapshots", () => {
  it("of six concurrent snapshots against a limit of 2, exactly two are made", async () => {
    const user = await makeUser(s, "powerUser");
    await limitUser(user.id, { snapshots: 2 });
    const vm = await makeInstanceRow(s, { ownerId: user.id, groupId: null, hostId, flavorId, imageId });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => as(user).snapshots.create({ instanceId: vm, name: `s${i}` })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    const rows = await s.db.select().from(snapshots).where(eq(snapshots.instanceId, vm));
    expect(rows).toHaveLength(2);
    expect(reasons(results)).toContain(
      "Quota reached: your limit for snapshots is 2, 2 in use; this needs 1 more.",
    );
  });

  it("a teacher's snapshot of a student's machine counts for the student and says so", async () => {
    const group = await makeGroup(s);
    const student = await makeUser(s, "user", [group], { username: `stu-${randomBytes(3).toString("hex")}` });
    const teacher = await makeUser(s, "powerAdm", [group]);
    await limitUser(student.id, { snapshots: 0 });
    const vm = await makeInstanceRow(s, { ownerId: student.id, groupId: group, hostId, flavorId, imageId });
    await expect(as(teacher).snapshots.create({ instanceId: vm, name: "before" })).rejects.toThrow(
      `Quota reached: ${student.username}'s limit for snapshots is 0, 0 in use; this needs 1 more.`,
    );
  });
});

describe("images", () => {
  const qemuImg = (...args: string[]) => execFileSync("qemu-img", args, { stdio: "pipe" });
  /** A small qcow2 with its own bytes (a file of its own sha256, so imports lock different files). */
  async function incomingImage(i: number): Promise<string> {
    const raw = join(work, `r${i}-${randomBytes(4).toString("hex")}.raw`);
    writeFileSync(raw, randomBytes(256 * 1024));
    await mkdir(incomingDir(store), { recursive: true });
    const q = join(incomingDir(store), `in-${randomBytes(6).toString("hex")}`);
    qemuImg("convert", "-f", "raw", "-O", "qcow2", raw, `${q}.tmp`);
    await copyFile(`${q}.tmp`, q);
    await rm(`${q}.tmp`);
    return q;
  }

  it("of five concurrent imports against an images limit of 2, exactly two are stored", async () => {
    const user = await makeUser(s, "powerUser");
    await limitUser(user.id, { images: 2 });
    const files = await Promise.all([0, 1, 2, 3, 4].map(incomingImage));
    const results = await Promise.allSettled(
      files.map((incomingPath, i) =>
        importImage(
          { db: s.db, storeDir: store },
          { incomingPath, name: `q${i}`, format: "qcow2", visibility: "private", ownerId: user.id },
        ),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    const rows = await s.db
      .select()
      .from(images)
      .where(and(eq(images.ownerId, user.id), isNull(images.deletedAt)));
    expect(rows).toHaveLength(2);
    expect(reasons(results)).toContain(
      "Quota reached: your limit for images is 2, 2 in use; this needs 1 more.",
    );
  });

  it("a public image counts for nobody", async () => {
    const admin = await makeUser(s, "superAdm");
    await limitUser(admin.id, { images: 0 });
    const stored = await importImage(
      { db: s.db, storeDir: store },
      {
        incomingPath: await incomingImage(9),
        name: "pub",
        format: "qcow2",
        visibility: "public",
        ownerId: admin.id,
      },
    );
    expect(stored.visibility).toBe("public");
  });

  it("an upload is refused at its first request when its announced size passes the image GiB left", async () => {
    const server = await serveRoutes([{ pattern: "/api/v1/uploads", handler: creation.POST as never }]);
    try {
      const user = await makeUser(s, "powerUser");
      await limitUser(user.id, { imageGiB: 1 });
      const tus = createTusClient(server.url, await sessionCookieFor(s, user.id, env.NEXTAUTH_SECRET));
      const refused = await tus.create(2 * 1024 ** 3, { name: "big", format: "raw", visibility: "private" });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body).message).toBe(
        "Quota reached: your limit for image storage (GiB) is 1, 0 in use; this needs 2 more.",
      );
      const fits = await tus.create(512 * 1024 ** 2, { name: "small", format: "raw", visibility: "private" });
      expect(fits.status).toBe(201);
    } finally {
      await server.close();
    }
  });

  it("a capture is refused before its copy starts when the owner has no image left", async () => {
    const user = await makeUser(s, "powerUser");
    await limitUser(user.id, { images: 0 });
    const vm = await makeInstanceRow(s, {
      ownerId: user.id,
      groupId: null,
      hostId,
      flavorId,
      imageId,
      state: "STOPPED",
    });
    const before = (await s.db.select({ id: tasks.id }).from(tasks)).length;
    await expect(
      captureInstance(contextFor(s, user, undefined, { jobs }), { instanceId: vm, name: "mine" }),
    ).rejects.toThrow("Quota reached: your limit for images is 0, 0 in use; this needs 1 more.");
    expect((await s.db.select({ id: tasks.id }).from(tasks)).length).toBe(before);
  });
});

describe("addresses a user takes", () => {
  it("an infrastructure address counts for whoever takes it", async () => {
    const admin = await makeUser(s, "superAdm");
    await limitUser(admin.id, { ipAddresses: 1 });
    const networkId = await makeNetwork(s, { kind: "infrastructure" });
    const results = await Promise.allSettled(
      [1, 2, 3].map((i) => as(admin).ipam.allocateAddress({ networkId, label: `router-${i}` })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(reasons(results)).toContain(
      "Quota reached: your limit for IP addresses is 1, 1 in use; this needs 1 more.",
    );
  });
});
