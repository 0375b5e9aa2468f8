// The `educloud` command against a running portal (issue 15's "Must show"): the built portal on a port
// of its own with a database of its own and a real agent (QEMU guests), a superAdm's API token, and the
// real binary run as a child process from a directory outside the repository — login, users import,
// instances create --wait, list as JSON and as a table, console-url, delete --wait — asserting outputs
// and exit codes, a refusal among them.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { migrateDatabase } from "@/scripts/migrate";
import { registerDemo } from "@/scripts/register-demo";
import { createDatabase } from "@/server/db/client";
import { createApiToken } from "@/server/domain/api-tokens/manage-api-tokens";
import { createRedis } from "@/server/queue/redis";
import { makeUser, testSettings, recordingJobs } from "@/server/testing/fixtures";
import { createHostChannel } from "@/server/queue/host-channel";
import { membershipHooks } from "@/server/events/membership-hooks";
import { removeRunKeys, removeRunUsers } from "@/server/testing/run-redis-keys";
import {
  baseDatabaseUrl,
  createTestDatabase,
  dropTestDatabase,
  newTestDatabaseName,
  urlForDatabase,
} from "@/server/testing/test-database";
import { ensureTestImage } from "@/server/testing/test-image";
import { startLocalAgent, type LocalAgent } from "@/e2e/support/local-agent";
import { startPortal, stopPortal } from "@/e2e/support/portal-process";
import { EXIT } from "./exit-codes";

const ROOT = resolve(__dirname, "..");
const BIN = join(ROOT, "bin", "educloud.mjs");

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;
let baseUrl: string;

/** The real binary, as a person runs it: from elsewhere, with only its own configuration. */
function educloud(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: home,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_CONFIG_HOME: join(home, "config"),
        XDG_CACHE_HOME: join(home, "cache"),
        EDUCLOUD_POLL_MS: "500",
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

describe("educloud against a running portal", () => {
  const base = baseDatabaseUrl();
  const dbName = newTestDatabaseName("cli");
  let handle: ReturnType<typeof createDatabase>;
  let redis: ReturnType<typeof createRedis>;
  let portal: Awaited<ReturnType<typeof startPortal>> | undefined;
  let agent: LocalAgent | undefined;
  let storeDir: string;
  let token: string;
  let adminName: string;
  let instanceId: string;
  const logDir = join(ROOT, "e2e", ".artifacts");

  beforeAll(async () => {
    await mkdir(logDir, { recursive: true });
    // The portal is served from its production build, as `npm start` serves it.
    await promisify(execFile)("bash", ["-c", ". scripts/lib.sh; build_if_needed"], {
      cwd: ROOT,
      timeout: 900_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    home = await mkdtemp(join(tmpdir(), "educloud-cli-home-"));
    storeDir = await mkdtemp(join(tmpdir(), "educloud-cli-store-"));
    await createTestDatabase(base, dbName);
    const url = urlForDatabase(base, dbName);
    await migrateDatabase(url);
    handle = createDatabase(url);
    redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    await registerDemo(handle.db, storeDir, await ensureTestImage());
    const admin = await makeUser({ ...handle, redis, prefix: dbName, close: async () => {} }, "superAdm");
    adminName = admin.username;
    // The superAdm makes a token as in Settings → API tokens (the domain function behind apiTokens.create).
    const created = await createApiToken(
      {
        db: handle.db,
        redis,
        actor: admin,
        ip: "127.0.0.1",
        settings: testSettings({ redisPrefix: dbName }),
        jobs: recordingJobs(),
        hostChannel: createHostChannel(redis, dbName),
        hooks: membershipHooks,
      },
      { name: "cli test", expiresInDays: 7, role: "superAdm", readOnly: false },
    );
    token = created.token;
    const port = Number(process.env.E2E_PORT ?? (await freePort()));
    baseUrl = `http://127.0.0.1:${port}`;
    portal = await startPortal({
      port,
      env: {
        DATABASE_URL: url,
        REDIS_PREFIX: dbName,
        NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
        NEXTAUTH_URL: baseUrl,
        LOG_LEVEL: "info",
        IMAGE_STORE_DIR: storeDir,
      },
      logFile: join(logDir, "cli-portal.log"),
    });
    agent = await startLocalAgent({
      db: handle.db,
      portalUrl: baseUrl,
      logFile: join(logDir, "cli-agent.log"),
    });
  }, 1_200_000);

  afterAll(async () => {
    await agent?.stop();
    stopPortal(portal);
    await handle?.pool.end();
    if (process.env.EDUCLOUD_KEEP_TEST_DB !== "1")
      await dropTestDatabase(base, dbName).catch(() => undefined);
    const r = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      await removeRunUsers(r, dbName);
      await removeRunKeys(r, dbName);
    } finally {
      r.disconnect();
      redis?.disconnect();
    }
    await rm(storeDir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }, 120_000);

  it("login checks the token and keeps it in ~/.config/educloud/config.json, mode 0600; whoami", async () => {
    const bad = await educloud("login", "--url", baseUrl, "--token", "ect_nope_nope");
    expect(bad.code).toBe(EXIT.refused);
    expect(bad.stderr).toMatch(/^educloud: /);

    const login = await educloud("login", "--url", baseUrl, "--token", token);
    expect(login.stderr).toContain(`as ${adminName} (superAdm)`);
    expect(login.code).toBe(EXIT.ok);
    const file = join(home, "config", "educloud", "config.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ url: baseUrl, token });

    const who = await educloud("whoami", "-f", "json");
    expect(who.code).toBe(EXIT.ok);
    expect(JSON.parse(who.stdout)).toMatchObject({ username: adminName, role: "superAdm" });
  }, 120_000);

  it("users import: creates the class and prints each row with its initial password", async () => {
    const tag = randomBytes(3).toString("hex");
    // The class first, with a generated command (groups.create → `groups create`).
    const group = await educloud(
      "groups",
      "create",
      "--name",
      `cli-class-${tag}`,
      "--kind",
      "class",
      "-f",
      "json",
    );
    expect(group.code).toBe(EXIT.ok);
    expect(JSON.parse(group.stdout)).toMatchObject({ id: expect.any(Number) });
    const csv = join(home, "class.csv");
    await writeFile(
      csv,
      `username,display name,email,group\ncli-ann-${tag},Ann,,cli-class-${tag}\ncli-bob-${tag},鲍勃,,cli-class-${tag}\n`,
    );
    const run = await educloud("users", "import", csv, "-f", "json");
    expect(run.stderr).toContain("2 created, 0 not.");
    expect(run.code).toBe(EXIT.ok);
    const rows = JSON.parse(run.stdout) as { username: string; status: string; password: string }[];
    expect(rows.map((r) => [r.username, r.status])).toEqual([
      [`cli-ann-${tag}`, "created"],
      [`cli-bob-${tag}`, "created"],
    ]);
    for (const r of rows) expect(r.password).toMatch(/^[A-Za-z0-9]{14}$/);
    const inDb = await handle.db
      .select({ username: users.username, displayName: users.displayName })
      .from(users)
      .where(inArray(users.username, [`cli-ann-${tag}`, `cli-bob-${tag}`]));
    expect(inDb.map((u) => u.displayName).sort()).toEqual(["Ann", "鲍勃"].sort());

    // The same file again: every row refused (taken), exit 1, and the table says so.
    const again = await educloud("users", "import", csv);
    expect(again.code).toBe(EXIT.refused);
    // The rows' reasons arrive as message codes; the CLI words them from the English catalogue.
    expect(again.stdout).toMatch(
      new RegExp(
        `\\| cli-ann-${tag} +\\| error +\\| +\\| A user named “cli-ann-${tag}” already exists\\. +\\|`,
      ),
    );
  }, 120_000);

  it("a refusal: a flavor that does not exist is the API's message on stderr and exit 1", async () => {
    const image = await educloud("images", "list", "-f", "json");
    const imageId = (JSON.parse(image.stdout) as { id: string; name: string }[]).find(
      (i) => i.name === "eduCloud test guest",
    )!.id;
    const body = JSON.stringify({ name: "cli-bad", imageId, flavorId: 999999 });
    const raw = await educloud("api", "POST", "/instances", "--data", body);
    expect(raw.code).toBe(EXIT.refused);
    const apiMessage = (JSON.parse(raw.stdout) as { message: string }).message;
    expect(apiMessage.length).toBeGreaterThan(0);

    const run = await educloud(
      "instances",
      "create",
      "--name",
      "cli-bad",
      "--image-id",
      imageId,
      "--flavor-id",
      "999999",
    );
    expect(run.code).toBe(EXIT.refused);
    expect(run.stderr).toContain(`educloud: ${apiMessage}`);
    expect(run.stdout).toBe("");

    const usage = await educloud(
      "instances",
      "create",
      "--name",
      "x",
      "--image-id",
      imageId,
      "--flavor-id",
      "tiny",
    );
    expect(usage.code).toBe(EXIT.usage);
    const offline = await educloud("--url", "http://127.0.0.1:9", "whoami");
    expect(offline.code).toBe(EXIT.network);
  }, 120_000);

  it("instances create --image … --flavor … --wait: a real guest, running when the command returns", async () => {
    const run = await educloud(
      "instances",
      "create",
      "--name",
      "cli-vm",
      "--image",
      "eduCloud test guest",
      "--flavor",
      "m1.tiny",
      "--wait",
      "-f",
      "json",
    );
    expect(run.stderr).toContain("cli-vm: ");
    expect(run.code).toBe(EXIT.ok);
    const view = JSON.parse(run.stdout) as { id: string; state: string; task: string | null };
    expect(view).toMatchObject({ state: "RUNNING", task: null });
    instanceId = view.id;
  }, 400_000);

  it("instances list, as JSON and as a table", async () => {
    const json = await educloud("instances", "list", "-f", "json");
    expect(json.code).toBe(EXIT.ok);
    const mine = (JSON.parse(json.stdout) as { id: string; name: string; state: string }[]).find(
      (i) => i.id === instanceId,
    );
    expect(mine).toMatchObject({ name: "cli-vm", state: "RUNNING" });

    const table = await educloud(
      "instances",
      "list",
      "-c",
      "id",
      "-c",
      "name",
      "-c",
      "state",
      "-c",
      "flavor",
    );
    expect(table.code).toBe(EXIT.ok);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[1]).toMatch(/^\| id +\| name +\| state +\| flavor +\|$/);
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^\\| ${instanceId} \\| cli-vm +\\| RUNNING \\| m1\\.tiny \\|$`)),
    );
  }, 120_000);

  it("instances console-url: the console page's address, once a ticket shows it would open", async () => {
    const run = await educloud("instances", "console-url", instanceId);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toBe(`${baseUrl}/instances/${instanceId}/console\n`);
    const json = await educloud("instances", "console-url", instanceId, "--kind", "serial", "-f", "json");
    expect(JSON.parse(json.stdout)).toMatchObject({
      url: `${baseUrl}/instances/${instanceId}/console?view=serial`,
      socket: expect.stringMatching(
        new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/console/serial/${instanceId}\\?ticket=.+`),
      ),
    });
    // The page is the portal's console page (a person signs in to see it).
    const page = await fetch(`${baseUrl}/instances/${instanceId}/console`, { redirect: "manual" });
    expect([200, 307, 308]).toContain(page.status);
  }, 120_000);

  it("images upload: the test guest over tus with the token, --wait until the portal has imported it", async () => {
    const name = `cli-upload-${randomBytes(3).toString("hex")}`;
    const run = await educloud(
      "images",
      "upload",
      await ensureTestImage(),
      "--name",
      name,
      "--format",
      "qcow2",
      "--wait",
      "-f",
      "json",
    );
    expect(run.stderr).toMatch(/task \S+: succeeded/);
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: "succeeded" });
    const list = await educloud("images", "list", "-f", "value", "-c", "name");
    expect(list.stdout.split("\n")).toContain(name);
  }, 300_000);

  it("instances delete --wait: gone when the command returns", async () => {
    const run = await educloud("instances", "delete", instanceId, "--wait");
    expect(run.code).toBe(EXIT.ok);
    const get = await educloud("instances", "get", instanceId, "-f", "json");
    if (get.code === EXIT.ok) expect(JSON.parse(get.stdout)).toMatchObject({ state: "DELETED" });
    else expect(get.code).toBe(EXIT.refused);
    // And the console of a deleted instance is refused with the portal's reason.
    const console = await educloud("instances", "console-url", instanceId);
    expect(console.code).toBe(EXIT.refused);
    expect(console.stderr).toMatch(/^educloud: \S/);
  }, 400_000);
});
