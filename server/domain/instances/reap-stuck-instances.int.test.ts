// Nothing waits for ever on a host that will not answer: the reaper puts instances in ERROR with the
// reason, and fails hosts' tasks, when their deadline passes, when their job failed for good (a stalled
// job included: its agent died under it, and nobody reports it), or when their host is down or disabled.
// And a delete can be sent again.
import { Worker } from "bullmq";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostQueueName } from "@/agents/protocol";
import { instanceEvents, instances, tasks, volumes } from "@/db/schema";
import { createAgentEventDispatcher } from "@/server/events/agent-events";
import { createHostJobInspector } from "@/server/queue/inspect-host-jobs";
import { createHostJobPort } from "@/server/queue/host-jobs";
import { startMaintenance } from "@/server/queue/maintenance";
import { createQueueConnection } from "@/server/queue/redis";
import {
  callerFor,
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";
import { createTask } from "../tasks/manage-tasks";
import { reapStuckTasks } from "../tasks/reap-stuck-tasks";
import { reapStuckInstances } from "./reap-stuck-instances";

let s: TestServices;
let conn: ReturnType<typeof createQueueConnection>;
let inspector: ReturnType<typeof createHostJobInspector>;
let hostId: string;
let owner: { id: number };
let flavorId: number;
let imageId: string;

beforeAll(async () => {
  s = openTestServices();
  conn = createQueueConnection(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  inspector = createHostJobInspector(conn, s.prefix);
  hostId = await makeHost(s);
  flavorId = await makeFlavor(s);
  imageId = await makeImageRow(s);
  owner = await makeUser(s, "superAdm");
});
afterAll(async () => {
  await inspector.close();
  conn.disconnect();
  await s.close();
});

const DEADLINES = { createSeconds: 1800, actionSeconds: 600 };
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
const read = async (id: string) => (await s.db.select().from(instances).where(eq(instances.id, id)))[0]!;
async function instanceWith(set: Partial<typeof instances.$inferInsert>): Promise<string> {
  const id = await makeInstanceRow(s, { ownerId: owner.id, groupId: null, hostId, flavorId, imageId });
  await s.db.update(instances).set(set).where(eq(instances.id, id));
  return id;
}

describe("instances whose host does not answer", () => {
  it("go to ERROR with the reason once their deadline has passed, and not before", async () => {
    const lostStop = await instanceWith({ state: "STOPPING", task: "stopping", updatedAt: ago(601) });
    const lostCreate = await instanceWith({ state: "BUILDING", task: "creating", updatedAt: ago(1801) });
    const lostDelete = await instanceWith({ state: "DELETING", task: "deleting", updatedAt: ago(700) });
    const slowCreate = await instanceWith({ state: "BUILDING", task: "creating", updatedAt: ago(700) });
    const freshStop = await instanceWith({ state: "STOPPING", task: "stopping", updatedAt: ago(30) });
    // A resize is as quick as a start: the action deadline.
    const lostResize = await instanceWith({ state: "STOPPED", task: "resizing", updatedAt: ago(601) });
    const idle = await instanceWith({ state: "RUNNING", updatedAt: ago(86_400) });

    expect(await reapStuckInstances(s.db, DEADLINES)).toBeGreaterThanOrEqual(3);

    for (const id of [lostStop, lostCreate, lostDelete, lostResize]) {
      const row = await read(id);
      expect([row.state, row.task]).toEqual(["ERROR", null]);
      expect(row.errorReason).toMatch(/did not confirm .* within \d+ minutes/);
    }
    expect((await read(lostStop)).errorReason).toContain("the stop within 10 minutes");
    expect((await read(lostDelete)).errorReason).toContain("delete the instance again");
    expect((await read(lostResize)).errorReason).toContain("the resize within 10 minutes");
    const [entry] = await s.db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, lostStop));
    expect(entry).toMatchObject({ kind: "error", code: "events.hostDidNotConfirm", toState: "ERROR" });
    for (const [id, state] of [
      [slowCreate, "BUILDING"],
      [freshStop, "STOPPING"],
      [idle, "RUNNING"],
    ] as const)
      expect((await read(id)).state).toBe(state);
  });

  it("go to ERROR at once when their job stalled for good (the agent died under it)", async () => {
    const id = await instanceWith({ state: "STOPPING", task: "stopping", opSeq: 3, updatedAt: new Date() });
    const jobs = createHostJobPort(conn, s.prefix);
    // Short locks and checks (one check per interval across workers), one stall allowed: 0.
    const worker = {
      connection: conn,
      prefix: `${s.prefix}:bull`,
      lockDuration: 1000,
      stalledInterval: 500,
      maxStalledCount: 0,
    };
    // The "agent" takes the stop and dies: its lock is not renewed any more.
    const dying = new Worker(hostQueueName(hostId), () => new Promise(() => undefined), worker);
    await jobs.enqueue(hostId, "instance.stop", { instanceId: id }, `stop-${id}-3`);
    const queue = (await import("bullmq")).Queue;
    const q = new queue(hostQueueName(hostId), { connection: conn, prefix: `${s.prefix}:bull` });
    while ((await q.getJobState(`stop-${id}-3`)) !== "active") await new Promise((r) => setTimeout(r, 50));
    await dying.close(true);
    // A restarted agent's worker finds the stalled job and, over its limit, fails it inside Redis,
    // without any "failed" handler (and so without any report) running.
    const checker = new Worker(hostQueueName(hostId), async () => undefined, worker);
    const until = Date.now() + 15_000;
    while ((await q.getJobState(`stop-${id}-3`)) !== "failed" && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    await checker.close();
    await q.close();
    await jobs.close();

    await reapStuckInstances(s.db, DEADLINES, inspector);
    const row = await read(id);
    expect([row.state, row.task]).toEqual(["ERROR", null]);
    expect(row.errorReason).toMatch(
      /stop job ended without a result \(job stalled more than allowable limit\)/,
    );
  }, 30_000);

  it("a delete can be sent again while deleting, with a new job id", async () => {
    const jobs = recordingJobs();
    const caller = callerFor(s, owner as never, undefined, { jobs });
    const id = await instanceWith({ state: "RUNNING" });
    await caller.instances.delete({ id });
    await caller.instances.delete({ id }); // the first one's job or answer was lost
    expect((await read(id)).state).toBe("DELETING");
    const ids = jobs.sent.filter((j) => j.name === "instance.delete").map((j) => j.jobId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });
});

describe("the portal's housekeeping", () => {
  it("runs the reaper by itself", async () => {
    const id = await instanceWith({ state: "STOPPING", task: "stopping", updatedAt: ago(601) });
    const m = await startMaintenance({
      db: s.db,
      connection: conn,
      prefix: s.prefix,
      log: pino({ level: "silent" }),
      reaper: { ...DEADLINES, hostTaskSilentSeconds: 1800, hostDownAfterSeconds: 30 },
      reapEveryMs: 200,
    });
    try {
      const until = Date.now() + 10_000;
      while ((await read(id)).state !== "ERROR" && Date.now() < until)
        await new Promise((r) => setTimeout(r, 100));
      expect((await read(id)).state).toBe("ERROR");
    } finally {
      await m.close();
    }
  });
});

describe("a DELETED report applied again", () => {
  it("runs the clean-ups the first application did not get to (the database went away in between)", async () => {
    // What a cut in the middle leaves: the state written, the attached volume not yet released.
    const id = await instanceWith({ state: "DELETED", task: null, deletedAt: new Date() });
    const volumeId = (await import("node:crypto")).randomUUID();
    await s.db.insert(volumes).values({
      id: volumeId,
      name: "data",
      ownerId: owner.id,
      hostId,
      sizeGiB: 1,
      state: "attached",
      instanceId: id,
    });
    await createAgentEventDispatcher().dispatch(
      { db: s.db, jobs: recordingJobs() },
      { type: "instance.state", hostId, at: new Date(), instanceId: id, state: "DELETED" },
      hostId,
    );
    const [v] = await s.db.select().from(volumes).where(eq(volumes.id, volumeId));
    expect([v!.state, v!.instanceId]).toEqual(["available", null]);
  });
});

describe("hosts' tasks that cannot finish", () => {
  const syncTask = async (host: string, at: Date) => {
    const id = await createTask(s.db, {
      kind: "image.sync",
      targetType: "image",
      targetId: imageId,
      targetName: "img",
      hostId: host,
      createdBy: owner.id,
    });
    await s.db.update(tasks).set({ createdAt: at, updatedAt: at }).where(eq(tasks.id, id));
    return id;
  };
  const taskRow = async (id: string) => (await s.db.select().from(tasks).where(eq(tasks.id, id)))[0]!;

  it("are failed when their host is down or disabled, or has been silent too long", async () => {
    const down = await syncTask(await makeHost(s, { up: false }), ago(60));
    const disabled = await syncTask(await makeHost(s, { enabled: false }), ago(60));
    const silent = await syncTask(hostId, ago(7200));
    const justQueued = await syncTask(await makeHost(s, { up: false }), ago(1));
    const working = await syncTask(hostId, ago(60));

    await reapStuckTasks(s.db, { silentSeconds: 1800, hostDownAfterSeconds: 30 });

    expect(await taskRow(down)).toMatchObject({ state: "failed", errorCode: "tasks.hostDown" });
    expect(await taskRow(disabled)).toMatchObject({ state: "failed", errorCode: "tasks.hostDown" });
    expect(await taskRow(silent)).toMatchObject({ state: "failed", errorCode: "tasks.hostSilent" });
    expect((await taskRow(justQueued)).state).toBe("queued");
    expect((await taskRow(working)).state).toBe("queued");
  });
});
