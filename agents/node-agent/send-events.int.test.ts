// The agent's events are not lost to a refused command: while Redis refuses this host's user (after a
// Redis restart, until the portal has re-created it) the sender keeps trying with backoff, and the event
// is queued once the user may write again. A private redis-server (own port and directory) plays Redis.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hostEventsQueueName } from "../protocol/index";
import { createEventSender } from "./send-events";

let server: ChildProcess;
let admin: Redis;
let agent: Redis;
let dir: string;
let port: number;
const hostId = "5b7e0f4e-2a51-4d3c-9d0f-0e1f2a3b4c5d";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "educloud-redis-"));
  port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  server = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""],
    {
      stdio: "ignore",
    },
  );
  admin = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: null });
  admin.on("error", () => undefined); // refused until the server listens
  await admin.ping();
});
afterAll(async () => {
  agent?.disconnect();
  admin?.disconnect();
  server?.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 200));
  await rm(dir, { recursive: true, force: true });
});

it("keeps sending an event Redis refuses until it is accepted", async () => {
  // The host's user exists but may not write yet (as after a Redis restart, before the portal's sync).
  await admin.call("ACL", "SETUSER", "host", "on", ">secret", "resetkeys", "-@all", "+@connection");
  agent = new Redis({
    port,
    host: "127.0.0.1",
    username: "host",
    password: "secret",
    maxRetriesPerRequest: null,
    enableReadyCheck: false,
  });
  const sender = createEventSender(agent, "t", hostId);
  let sent = false;
  const sending = sender
    .send({ type: "host.heartbeat", hostId, at: new Date(), startup: false, vms: [] })
    .then(() => (sent = true));
  await new Promise((r) => setTimeout(r, 1500));
  expect(sent).toBe(false);

  await admin.call("ACL", "SETUSER", "host", "allkeys", "+@all");
  await sending;
  const queue = new Queue(hostEventsQueueName(hostId), { connection: admin, prefix: "t:bull" });
  expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
  await queue.close();
  await sender.close();
}, 30_000);
