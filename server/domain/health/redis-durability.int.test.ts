// The health page tells the operator when Redis would lose queued jobs or agents' events: nothing on
// disk, snapshots (RDB) only, an append-only file the OS flushes when it likes, or an eviction policy
// that may drop keys when memory is full. A private redis-server (its own port and directory, started
// here) is configured each way; the machine's shared Redis is not touched.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSystemQueue } from "@/server/queue";
import { openTestServices, type TestServices } from "@/server/testing/fixtures";
import { checkHealth } from "./check-health";

let s: TestServices;
let server: ChildProcess;
let redis: Redis;
let dir: string;

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  s = openTestServices();
  dir = await mkdtemp(join(tmpdir(), "educloud-redis-"));
  const port = await freePort();
  server = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  // One client per attempt: an ioredis client that failed to connect keeps reconnecting on its own, and a
  // second connect() on it throws "already connecting".
  for (let i = 0; ; i++) {
    const attempt = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    attempt.on("error", () => undefined); // refused until the server listens: retried below
    try {
      await attempt.connect();
      redis = attempt;
      break;
    } catch (err) {
      attempt.disconnect();
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
afterAll(async () => {
  redis?.disconnect();
  server?.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 200));
  await rm(dir, { recursive: true, force: true });
  await s.close();
});

async function redisWarnings(config: Record<string, string>): Promise<string[]> {
  for (const [k, v] of Object.entries(config)) await redis.config("SET", k, v);
  const report = await checkHealth({ db: s.db, redis, queue: getSystemQueue(), hostDownAfterSeconds: 30 });
  const check = report.checks.find((c) => c.name === "redis")!;
  expect(check.ok).toBe(true);
  return check.warningMessages.map((m) => m.code);
}

describe("Redis durability on the health page", () => {
  it("warns when nothing is kept on disk", async () => {
    expect(await redisWarnings({ appendonly: "no", save: "", "maxmemory-policy": "noeviction" })).toEqual([
      "health.noPersistence",
    ]);
  });

  it("warns when only RDB snapshots are kept", async () => {
    expect(await redisWarnings({ appendonly: "no", save: "3600 1 300 100" })).toEqual(["health.rdbOnly"]);
  });

  it("warns when the append-only file is not flushed by Redis", async () => {
    expect(await redisWarnings({ appendonly: "yes", appendfsync: "no" })).toEqual(["health.aofNoFsync"]);
  });

  it("warns about an evicting maxmemory-policy", async () => {
    const codes = await redisWarnings({ appendfsync: "everysec", "maxmemory-policy": "allkeys-lru" });
    expect(codes).toEqual(["health.evictingPolicy"]);
  });

  it("is quiet with appendonly yes, appendfsync everysec and noeviction", async () => {
    expect(
      await redisWarnings({ appendonly: "yes", appendfsync: "everysec", "maxmemory-policy": "noeviction" }),
    ).toEqual([]);
  });
});
