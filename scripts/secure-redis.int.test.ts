// Setup's Redis protection against a real redis-server of the test's own (a spare port, no persistence,
// as on a fresh machine): after it, nobody gets in without a password, and it survives re-runs, a second
// install on the same machine, and a Redis restart that forgot every user.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_USER, secureRedis } from "./secure-redis";

let dir: string;
let port: number;
let server: ChildProcess | undefined;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

async function startRedis() {
  server = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    {
      stdio: "ignore",
    },
  );
  for (let i = 0; i < 100; i++) {
    const r = new Redis({ port, lazyConnect: true, retryStrategy: () => null, enableReadyCheck: false });
    r.on("error", () => undefined);
    const up = await r.connect().then(
      () => true,
      () => false,
    );
    r.disconnect();
    if (up) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error("redis-server did not start");
}
async function stopRedis() {
  const s = server;
  if (!s) return;
  await new Promise<void>((res) => {
    s.once("exit", () => res());
    s.kill("SIGKILL");
  });
  server = undefined;
}

/** What a client with these credentials gets for PING: "PONG" or the error's first word. */
async function pingAs(username?: string, password?: string): Promise<string> {
  const r = new Redis({
    port,
    username,
    password,
    lazyConnect: true,
    enableReadyCheck: false,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  const errors: string[] = [];
  r.on("error", (e: Error) => errors.push(e.message));
  try {
    await r.connect();
    return await r.ping();
  } catch (err) {
    return (
      ((err as Error).message + " " + errors.join(" ")).match(/NOAUTH|WRONGPASS/)?.[0] ??
      (err as Error).message
    );
  } finally {
    r.disconnect();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "secure-redis-"));
  port = await freePort();
  await startRedis();
});
afterAll(async () => {
  await stopRedis();
  await rm(dir, { recursive: true, force: true });
});

describe("secureRedis (setup's Redis protection)", () => {
  const adminFile = () => join(dir, "etc", "redis-admin.env");
  const url = (user: string, pw: string) => `redis://${user}:${pw}@127.0.0.1:${port}`;

  it("turns the password-less default user off and lets the portal in as its own user", async () => {
    expect(await pingAs()).toBe("PONG"); // a fresh Redis: open to anyone
    await secureRedis({ url: url("educloud", "portal-pw-1"), adminFile: adminFile() });
    expect(await pingAs()).toBe("NOAUTH");
    expect(await pingAs("educloud", "wrong")).toBe("WRONGPASS");
    expect(await pingAs("educloud", "portal-pw-1")).toBe("PONG");
    expect((await stat(adminFile())).mode & 0o777).toBe(0o600);
    // Durable, and never evicting queued jobs.
    const admin = new Redis({ port, username: "educloud", password: "portal-pw-1" });
    expect(await admin.call("CONFIG", "GET", "appendonly")).toEqual(["appendonly", "yes"]);
    expect(await admin.call("CONFIG", "GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
    admin.disconnect();
  });

  it("is idempotent, and a second install on the machine gets its own user through the admin file", async () => {
    await secureRedis({ url: url("educloud", "portal-pw-1"), adminFile: adminFile() });
    await secureRedis({ url: url("educloud_ci_2", "portal-pw-2"), adminFile: adminFile() });
    expect(await pingAs("educloud", "portal-pw-1")).toBe("PONG");
    expect(await pingAs("educloud_ci_2", "portal-pw-2")).toBe("PONG");
    expect(await pingAs()).toBe("NOAUTH");
  });

  it("puts everything back after a Redis restart that forgot its users, with the same admin password", async () => {
    const before = await readFile(adminFile(), "utf8");
    await stopRedis();
    await startRedis();
    expect(await pingAs()).toBe("PONG"); // the restart forgot: open again
    await secureRedis({ url: url("educloud", "portal-pw-1"), adminFile: adminFile() });
    expect(await pingAs()).toBe("NOAUTH");
    expect(await pingAs("educloud", "portal-pw-1")).toBe("PONG");
    expect(await readFile(adminFile(), "utf8")).toBe(before);
    const password = /password=(\S+)/.exec(before)![1]!;
    expect(await pingAs(ADMIN_USER, password)).toBe("PONG");
  });

  it("says clearly what is wrong when it has no way in", async () => {
    await expect(
      secureRedis({ url: url("educloud", "portal-pw-1"), adminFile: join(dir, "elsewhere", "none.env") }),
    ).rejects.toThrow(/refuses the default user and the admin password .* \(missing\)/);
    await expect(secureRedis({ url: `redis://127.0.0.1:${port}`, adminFile: adminFile() })).rejects.toThrow(
      /must carry the portal's Redis user and password/,
    );
  });
});
