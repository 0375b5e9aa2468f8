// The portal's end of a capture on real rows and real qemu-img, no agent: a host's uploads are called
// directly. Two uploads for one task at once store one image (the other is refused before a byte is
// read); the task, the capture row and the image agree at the end whichever way it ends.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostAuthHeader } from "@/agents/protocol";
import { hosts, images, instanceCaptures, tasks } from "@/db/schema";
import {
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { DomainError } from "../errors";
import { newSecret, sha256Hex } from "../hosts/host-secrets";
import { storedImagePath } from "../images/import-image";
import { claimTask, createTask, failInterruptedImports } from "../tasks/manage-tasks";
import { applyTaskProgress } from "./capture-instance";
import { receiveCapture } from "./receive-capture";

const work = await mkdtemp(join(tmpdir(), "capture-test-"));
const storeDir = join(work, "store");
let s: TestServices;
let disk: Buffer;
/** Other bytes, so its stored file is its own. */
let otherDisk: Buffer;
let host: { id: string; authorization: string };
let instance: { id: string; ownerId: number };

const deps = () => ({ db: s.db, storeDir, maxBytes: 64 * 1024 * 1024 });
const bodyOf = (bytes: Buffer) => new Blob([new Uint8Array(bytes)]).stream();
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof DomainError ? e.kind : String(e)),
  );
const taskRow = async (id: string) => (await s.db.select().from(tasks).where(eq(tasks.id, id)))[0]!;
const captureRow = async (id: string) =>
  (await s.db.select().from(instanceCaptures).where(eq(instanceCaptures.taskId, id)))[0]!;

/** A capture task as captureInstance leaves it, already reported running by the agent. */
async function makeCaptureTask(): Promise<{ taskId: string; imageName: string }> {
  const imageName = `cap-${Math.random().toString(36).slice(2, 8)}`;
  const taskId = await createTask(s.db, {
    kind: "instance.capture",
    targetType: "image",
    targetId: null,
    targetName: imageName,
    hostId: host.id,
    createdBy: instance.ownerId,
  });
  await s.db.update(tasks).set({ state: "running" }).where(eq(tasks.id, taskId));
  await s.db.insert(instanceCaptures).values({
    taskId,
    instanceId: instance.id,
    hostId: host.id,
    imageName,
    ownerId: instance.ownerId,
    groupId: null,
  });
  return { taskId, imageName };
}

/** A body whose end the test lets go of, to act while the upload is held open (claimed, not yet stored). */
function heldBody(bytes: Buffer) {
  let finish!: () => void;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new Uint8Array(bytes.subarray(0, 4096)));
      finish = () => {
        c.enqueue(new Uint8Array(bytes.subarray(4096)));
        c.close();
      };
    },
  });
  return { body, finish: () => finish() };
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  s = openTestServices();
  // Random contents: no image row of another test file in this run's database names the same bytes.
  const qcow2 = (name: string) => {
    writeFileSync(join(work, `${name}.raw`), randomBytes(1024 * 1024));
    execFileSync(
      "qemu-img",
      ["convert", "-f", "raw", "-O", "qcow2", join(work, `${name}.raw`), join(work, name)],
      { stdio: "pipe" },
    );
    return readFileSync(join(work, name));
  };
  disk = qcow2("disk.qcow2");
  otherDisk = qcow2("other.qcow2");
  const hostId = await makeHost(s);
  const secret = newSecret();
  await s.db
    .update(hosts)
    .set({ secretHash: sha256Hex(secret) })
    .where(eq(hosts.id, hostId));
  host = { id: hostId, authorization: hostAuthHeader(hostId, secret) };
  const owner = await makeUser(s, "powerUser");
  const instanceId = await makeInstanceRow(s, {
    ownerId: owner.id,
    groupId: null,
    hostId,
    flavorId: await makeFlavor(s),
    imageId: await makeImageRow(s),
  });
  instance = { id: instanceId, ownerId: owner.id };
});
afterAll(async () => {
  await s?.close();
  await rm(work, { recursive: true, force: true });
});

describe("receiveCapture", () => {
  it("stores one image when two uploads of the same task arrive together, and refuses the other", async () => {
    const { taskId, imageName } = await makeCaptureTask();
    const put = () => receiveCapture(deps(), { hostId: host.id, taskId, body: bodyOf(disk) });
    const results = await Promise.all([outcome(put()), outcome(put())]);
    expect(results.sort()).toEqual(["CONFLICT", "ok"]);

    const stored = await s.db.select().from(images).where(eq(images.name, imageName));
    expect(stored).toHaveLength(1);
    const task = await taskRow(taskId);
    expect(task.state).toBe("succeeded");
    expect(task.targetId).toBe(stored[0]!.id);
    expect((await captureRow(taskId)).imageId).toBe(stored[0]!.id);
    expect((await stat(storedImagePath(storeDir, stored[0]!.sha256))).isFile()).toBe(true);
  });

  it("refuses a second upload with a message that says why, and a finished task outright", async () => {
    const { taskId } = await makeCaptureTask();
    const held = heldBody(disk);
    const first = receiveCapture(deps(), { hostId: host.id, taskId, body: held.body });
    await until("the first upload claims the task", async () => (await taskRow(taskId)).targetId !== null);
    const second = receiveCapture(deps(), { hostId: host.id, taskId, body: bodyOf(disk) });
    await expect(second).rejects.toMatchObject({
      kind: "CONFLICT",
      message: expect.stringMatching(/already being received/),
    });
    held.finish();
    await first;
    const late = receiveCapture(deps(), { hostId: host.id, taskId, body: bodyOf(disk) });
    await expect(late).rejects.toMatchObject({
      kind: "CONFLICT",
      message: "The capture task is succeeded already.",
    });
  });

  it("is not failed by an agent's failure report once an upload has claimed it", async () => {
    const { taskId } = await makeCaptureTask();
    const held = heldBody(disk);
    const first = receiveCapture(deps(), { hostId: host.id, taskId, body: held.body });
    await until("the upload claims the task", async () => (await taskRow(taskId)).targetId !== null);
    // What the agent of a refused second upload reports.
    await applyTaskProgress(s.db, {
      type: "task.progress",
      hostId: host.id,
      at: new Date(),
      taskId,
      state: "failed",
      percent: 0,
      reason: "the portal refused the captured disk (HTTP 409)",
    });
    held.finish();
    const { imageId } = await first;
    expect(await taskRow(taskId)).toMatchObject({ state: "succeeded", targetId: imageId });
  });

  it("leaves no image and no capture result when the task ends while the disk is being stored", async () => {
    const { taskId, imageName } = await makeCaptureTask();
    const held = heldBody(otherDisk);
    const first = receiveCapture(deps(), { hostId: host.id, taskId, body: held.body });
    await until("the upload claims the task", async () => (await taskRow(taskId)).targetId !== null);
    // Ended meanwhile by something else (here by hand): the success must not be half written.
    await s.db
      .update(tasks)
      .set({ state: "failed", error: "ended elsewhere", finishedAt: new Date() })
      .where(eq(tasks.id, taskId));
    held.finish();
    await expect(first).rejects.toMatchObject({ kind: "CONFLICT" });
    expect((await captureRow(taskId)).imageId).toBeNull();
    expect(await taskRow(taskId)).toMatchObject({ state: "failed", error: "ended elsewhere" });
    const made = await s.db.select().from(images).where(eq(images.name, imageName));
    expect(made).toHaveLength(1);
    expect(made[0]!.deletedAt).not.toBeNull();
    await expect(stat(storedImagePath(storeDir, made[0]!.sha256))).rejects.toThrow(/ENOENT/);
  });

  it("a portal restart while a claimed disk was being stored fails that task and withdraws its image; an unclaimed capture runs on", async () => {
    const cut = await makeCaptureTask();
    const imageId = await makeImageRow(s, { visibility: "private", ownerId: instance.ownerId });
    expect(await claimTask(s.db, cut.taskId, imageId)).toBe(true);
    const stillCapturing = await makeCaptureTask();
    await failInterruptedImports(s.db);
    const t = await taskRow(cut.taskId);
    expect(t.state).toBe("failed");
    expect(t.error).toMatch(/portal restarted while it stored the captured disk/);
    expect(t.targetId).toBeNull();
    expect((await s.db.select().from(images).where(eq(images.id, imageId)))[0]!.deletedAt).not.toBeNull();
    expect((await taskRow(stillCapturing.taskId)).state).toBe("running");
  });
});
