// A database outage in the middle of create, stop and delete leaves no instance stuck. The portal's
// controller (this process) reads and writes MariaDB through a TCP proxy the test cuts while the host's
// answers are on their way; a stand-in agent (a BullMQ worker on the host's real jobs queue, sending on
// the host's real events queue with the agent's own sender) answers each job. The outage outlasts the
// events queue's own attempts (1 + 2 + 4 + 8 s), so only retrying in place brings the answers home.
import { Worker } from "bullmq";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventSender } from "@/agents/node-agent/send-events";
import { hostQueueName } from "@/agents/protocol";
import { instances, type InstanceRow } from "@/db/schema";
import { createDatabase, type DatabaseHandle } from "@/server/db/client";
import { startController } from "@/server/queue/controller";
import { createHostJobPort } from "@/server/queue/host-jobs";
import { createQueueConnection } from "@/server/queue/redis";
import {
  callerFor,
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { CuttableProxy } from "@/server/testing/tcp-proxy";

const OUTAGE_MS = 20_000;

let s: TestServices;
let proxy: CuttableProxy;
let viaProxy: DatabaseHandle;
let conn: ReturnType<typeof createQueueConnection>;
let agentConn: ReturnType<typeof createQueueConnection>;
let jobs: ReturnType<typeof createHostJobPort>;
let controller: ReturnType<typeof startController>;
let agent: Worker;
let sender: ReturnType<typeof createEventSender>;
let hostId: string;
let caller: ReturnType<typeof callerFor>;
let owner: { id: number };
let flavorId: number;
let imageId: string;
/** Set by a test: what the stand-in agent does between taking a job and answering it. */
let beforeAnswer: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  s = openTestServices();
  const real = new URL(process.env.DATABASE_URL!);
  proxy = new CuttableProxy(real.hostname, Number(real.port || 3306));
  const url = new URL(real.toString());
  url.port = String(await proxy.start());
  viaProxy = createDatabase(url.toString());

  hostId = await makeHost(s);
  flavorId = await makeFlavor(s);
  imageId = await makeImageRow(s);
  const admin = await makeUser(s, "superAdm");
  owner = admin;
  conn = createQueueConnection(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  agentConn = createQueueConnection(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  jobs = createHostJobPort(conn, s.prefix);
  caller = callerFor(s, admin, undefined, { jobs });
  controller = startController({
    db: viaProxy.db,
    jobs,
    connection: conn,
    prefix: s.prefix,
    log: pino({ level: "silent" }),
    refreshMs: 250,
  });
  while (!controller.listening().includes(hostId)) await new Promise((r) => setTimeout(r, 50));

  sender = createEventSender(agentConn, s.prefix, hostId);
  const answers: Record<string, ("BUILDING" | "RUNNING" | "STOPPED" | "DELETED")[]> = {
    "instance.create": ["BUILDING", "RUNNING"],
    "instance.stop": ["STOPPED"],
    "instance.delete": ["DELETED"],
  };
  agent = new Worker(
    hostQueueName(hostId),
    async (job) => {
      await beforeAnswer();
      const { instanceId } = job.data as { instanceId: string };
      for (const state of answers[job.name] ?? [])
        await sender.send({
          type: "instance.state",
          hostId,
          at: new Date(),
          instanceId,
          state,
          jobId: job.id,
        });
    },
    { connection: agentConn, prefix: `${s.prefix}:bull`, concurrency: 4 },
  );
}, 60_000);

afterAll(async () => {
  await agent?.close();
  await controller?.close();
  await sender?.close();
  await jobs?.close();
  conn?.disconnect();
  agentConn?.disconnect();
  await proxy?.cut();
  await viaProxy?.pool.end().catch(() => undefined);
  await s?.close();
}, 60_000);

const read = async (id: string) => (await s.db.select().from(instances).where(eq(instances.id, id)))[0]!;

/** The instance as soon as it has settled: `want` with no task, or ERROR with a reason. */
async function settled(id: string, want: InstanceRow["state"], timeoutMs: number): Promise<InstanceRow> {
  const deadline = Date.now() + timeoutMs;
  let row = await read(id);
  while (Date.now() < deadline) {
    row = await read(id);
    if ((row.state === want && !row.task) || row.state === "ERROR") return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  return row;
}

describe("a database outage in the middle of create, stop and delete", () => {
  it("leaves no instance stuck: each reaches its final state once the database returns", async () => {
    // Three instances, each with an action under way when the database goes.
    const creating = await makeInstanceRow(s, {
      ownerId: owner.id,
      groupId: null,
      hostId,
      flavorId,
      imageId,
    });
    await s.db
      .update(instances)
      .set({ state: "SCHEDULED", task: "creating" })
      .where(eq(instances.id, creating));
    const stopping = await makeInstanceRow(s, {
      ownerId: owner.id,
      groupId: null,
      hostId,
      flavorId,
      imageId,
    });
    const deleting = await makeInstanceRow(s, {
      ownerId: owner.id,
      groupId: null,
      hostId,
      flavorId,
      imageId,
    });

    // The agent has done the work and answers while the portal's database is away.
    let cutAt = 0;
    beforeAnswer = async () => {
      if (!cutAt) {
        cutAt = Date.now();
        await proxy.cut();
      }
    };
    const restored = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (cutAt && Date.now() - cutAt >= OUTAGE_MS) {
          clearInterval(poll);
          void proxy.restore().then(() => resolve());
        }
      }, 100);
    });

    // The same job id the create path uses (create-instances.ts); stop and delete through the portal.
    await jobs.enqueue(hostId, "instance.create", { instanceId: creating } as never, `create-${creating}-1`);
    await caller.instances.stop({ id: stopping });
    await caller.instances.delete({ id: deleting });
    expect((await read(stopping)).state).toBe("STOPPING");
    expect((await read(deleting)).state).toBe("DELETING");

    await restored;
    const [a, b, c] = await Promise.all([
      settled(creating, "RUNNING", 30_000),
      settled(stopping, "STOPPED", 30_000),
      settled(deleting, "DELETED", 30_000),
    ]);
    for (const row of [a, b, c]) if (row.state === "ERROR") expect(row.errorReason).toBeTruthy();
    expect([a.state, a.task]).toEqual(["RUNNING", null]);
    expect([b.state, b.task]).toEqual(["STOPPED", null]);
    expect([c.state, c.task]).toEqual(["DELETED", null]);
  }, 120_000);
});
