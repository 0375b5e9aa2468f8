// npm run bench:api [-- --rate 30 --seconds 30 --rounds 3 --instances 10000 --users 1000 --port 3317]
//
// GET /api/v1/instances through a real portal process against a floor measured in the same run
// (bench/README.md, "REST API benchmark"):
//  - its own database: `--instances` instance rows and `--users` users (rows only, no VMs), a class whose
//    teacher (a powerAdm) administers 500 of the instances;
//  - the production build served by server/main.ts on loopback (`--port`), so each request goes through
//    Node's HTTP stack, Next's routing and the REST handler;
//  - an open-loop load of `--rate` requests a second per caller for `--seconds` (superAdm paging through
//    all pages of 100, the powerAdm through their 500), each latency recorded;
//  - the floor: the same pages read with one plain SQL query each through a mysql2 pool made like the
//    portal's, at the same rate (bench/lib/instance-page-floor.ts).
// API and floor take turns in `--rounds` rounds, so whatever else the machine does weighs on both.
// Prints api_list_p95_ms, api_list_floor_p95_ms and api_list_p95_ratio (goal ≤ 3.0), per caller too;
// exits non-zero only if requests failed.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { Agent, request as httpRequest } from "node:http";
import { register } from "node:module";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { closePortalSingletons } from "./lib/close-portal-singletons";
import { expectExit } from "./lib/exit-check";
import type { Keyset } from "./lib/instance-page-floor";
import type { OpenLoopResult } from "./lib/open-loop";
import type { Actor } from "@/server/domain/context";

register("./lib/loader-hooks.mjs", import.meta.url);
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
process.chdir(repoRoot);

const { values: cli } = parseArgs({
  options: {
    rate: { type: "string", default: "30" },
    seconds: { type: "string", default: "30" },
    rounds: { type: "string", default: "3" },
    instances: { type: "string", default: "10000" },
    users: { type: "string", default: "1000" },
    "class-instances": { type: "string", default: "500" },
    limit: { type: "string", default: "100" },
    port: { type: "string", default: "3317" },
    "breakdown-runs": { type: "string", default: "100" },
  },
});
const RATE = Number(cli.rate);
const SECONDS = Number(cli.seconds);
const ROUNDS = Number(cli.rounds);
const INSTANCES = Number(cli.instances);
const USERS = Number(cli.users);
const CLASS_INSTANCES = Number(cli["class-instances"]);
const LIMIT = Number(cli.limit);
const PORT = Number(cli.port);
const BREAKDOWN_RUNS = Number(cli["breakdown-runs"]);
if (
  ![RATE, SECONDS, ROUNDS, INSTANCES, USERS, CLASS_INSTANCES, LIMIT, PORT].every(
    (v) => Number.isInteger(v) && v >= 1,
  ) ||
  !Number.isInteger(BREAKDOWN_RUNS) ||
  BREAKDOWN_RUNS < 0
)
  throw new Error("every option takes a whole number ≥ 1 (--breakdown-runs ≥ 0)");
const GOAL = 3;
const LOAD = { rate: RATE, seconds: SECONDS / ROUNDS, maxInFlight: 200, timeoutMs: 10_000 };
const out = (line = "") => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sleep = (msDelay: number) => new Promise((r) => setTimeout(r, msDelay));
const runStarted = Date.now();

// ---- this run's database and Redis prefix (what Vitest's global setup does for the tests) ----------
const testDb = await import("@/server/testing/test-database");
const baseUrl = testDb.baseDatabaseUrl(); // loads .env when DATABASE_URL is not set
const dbName = testDb.newTestDatabaseName("bench");
const work = await mkdtemp(join(os.tmpdir(), "educloud-bench-api-"));
const portalLog = join(work, "portal.log");
const secret = `bench-${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("hex")}`;
// This process imports portal modules for the in-process breakdown: they read these too.
Object.assign(process.env, {
  DATABASE_URL: testDb.urlForDatabase(baseUrl, dbName),
  REDIS_PREFIX: dbName,
  IMAGE_STORE_DIR: join(work, "store"),
  NEXTAUTH_SECRET: secret,
  NEXTAUTH_URL: `http://127.0.0.1:${PORT}`,
  LOG_LEVEL: "silent",
  // 30 requests a second per caller is 1,800 a minute, over the default budget of a token (600) and of an
  // account (1,200): an install whose integrations poll this fast raises it, and so does the bench (for
  // the portal process, which inherits this environment, and the in-process breakdown). The budget is
  // still counted on every request (one Redis script call), as it is at any setting.
  API_TOKEN_REQUESTS_PER_MINUTE: String(RATE * 60 * 4),
  API_TOKEN_REQUESTS_PER_MINUTE_PER_USER: String(RATE * 60 * 4),
});

// ---- clean-up, also on failure and Ctrl-C ----------------------------------------------------------
const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
const onCleanup = (what: string, run: () => Promise<unknown>) => cleanups.push({ what, run });
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        c.run(),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error("timed out")), 30_000);
        }),
      ])
        .catch((err) => note(`clean-up of ${c.what} failed: ${(err as Error).message}`))
        .finally(() => clearTimeout(timer));
    }
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (cleaning) return;
    note(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

onCleanup("the portal modules' connections", () => closePortalSingletons());
onCleanup("the database and Redis keys", async () => {
  await testDb.dropTestDatabase(baseUrl, dbName);
  const { Redis } = await import("ioredis");
  const { removeRunKeys } = await import("@/server/testing/run-redis-keys");
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    await removeRunKeys(redis, dbName);
  } finally {
    redis.disconnect();
  }
});
onCleanup("the work directory", () => rm(work, { recursive: true, force: true }));

let exitCode: number;
try {
  exitCode = await main();
} catch (err) {
  exitCode = 1;
  if (!cleaning) process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  const log = await readFile(portalLog, "utf8").catch(() => "");
  if (log) note(`the portal's last log lines:\n${log.split("\n").slice(-30).join("\n")}`);
} finally {
  await cleanUp();
}
// No process.exit(): the run ends when nothing is left open, and expectExit() names a leak if it is not.
process.exitCode = exitCode;
expectExit(note);

// ------------------------------------------------------------------------------------------------------
/** `next build` unless the build is current (scripts/lib.sh); its output goes to stderr. */
function buildIfNeeded(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", ". scripts/lib.sh; build_if_needed"], {
      stdio: ["ignore", process.stderr, process.stderr],
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`the build failed (${code})`))));
  });
}

interface Answer {
  status: number;
  body: Buffer;
}

async function main(): Promise<number> {
  const { summarise, percentile } = await import("./lib/stats");
  const { runOpenLoop } = await import("./lib/open-loop");
  const { readFloorPage } = await import("./lib/instance-page-floor");
  const { seedApiRows } = await import("./lib/api-seed");
  const { createDatabase } = await import("@/server/db/client");
  const { createRedis } = await import("@/server/queue/redis");
  const { contextFor } = await import("@/server/testing/fixtures");
  const { createApiToken } = await import("@/server/domain/api-tokens/manage-api-tokens");
  const { startPortal, stopPortal } = await import("../e2e/support/portal-process");

  const loadAtStart = os.loadavg();
  note(
    `load average at the start: ${loadAtStart.map((l) => l.toFixed(2)).join(" ")} (${os.cpus().length} CPUs)`,
  );

  await testDb.createTestDatabase(baseUrl, dbName);
  const { migrateDatabase } = await import("../scripts/migrate");
  await migrateDatabase(process.env.DATABASE_URL!);
  // The floor's pool: made as the portal makes its own (server/db/client.ts).
  const handle = createDatabase(process.env.DATABASE_URL!);
  const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  // The portal's client queues nothing while it connects (enableOfflineQueue: false): wait until it is up.
  if (redis.status !== "ready") await new Promise((r) => redis.once("ready", r));
  onCleanup("the bench's pool and Redis client", async () => {
    await handle.pool.end();
    redis.disconnect();
  });

  const seedStarted = performance.now();
  const seeded = await seedApiRows(handle.db, {
    instances: INSTANCES,
    users: USERS,
    classInstances: CLASS_INSTANCES,
    classSize: 29,
  });
  note(
    `seeded ${INSTANCES} instances and ${USERS} users in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
  );

  // Each caller's credential, as an integration sends it: an API token of its own (read-only, as a
  // monitoring script's would be), made through the domain as Settings makes it.
  const tokenFor = async (actor: Actor) => {
    const made = await createApiToken(contextFor(s, actor), {
      name: "bench",
      expiresInDays: 7,
      role: actor.role,
      readOnly: true,
    });
    return { authorization: `Bearer ${made.token}` };
  };
  const s = { db: handle.db, redis, prefix: dbName } as Parameters<typeof contextFor>[0];
  const superAdm: Actor = {
    id: seeded.superAdmId,
    username: "bench-admin",
    role: "superAdm",
    groupIds: [],
    adminGroupIds: [],
  };
  const powerAdm: Actor = {
    id: seeded.powerAdmId,
    username: "bench-teacher",
    role: "powerAdm",
    groupIds: [seeded.groupId],
    adminGroupIds: [seeded.groupId],
  };
  const callers = [
    {
      name: "superadm",
      headers: await tokenFor(superAdm),
      scope: { powerAdm: null },
      total: seeded.visible.superAdm,
    },
    {
      name: "poweradm",
      headers: await tokenFor(powerAdm),
      scope: { powerAdm: { userId: seeded.powerAdmId, adminGroupIds: [seeded.groupId] } },
      total: seeded.visible.powerAdm,
    },
  ];

  // ---- the portal: the production build, server/main.ts, this run's database ------------------------
  await buildIfNeeded();
  note(`starting the portal on 127.0.0.1:${PORT}…`);
  const portal = await startPortal({
    port: PORT,
    logFile: portalLog,
    env: {
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_PREFIX: dbName,
      NEXTAUTH_SECRET: secret,
      NEXTAUTH_URL: `http://127.0.0.1:${PORT}`,
      IMAGE_STORE_DIR: join(work, "store"),
      LOG_LEVEL: "info",
    },
  });
  onCleanup("the portal process", async () => {
    const exited = new Promise<void>((r) =>
      portal.exitCode !== null ? r() : portal.once("exit", () => r()),
    );
    stopPortal(portal);
    const timer = setTimeout(() => {
      try {
        process.kill(-portal.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  });

  // Keep-alive connections, as an integration's HTTP client keeps them. A new agent for each API phase:
  // between phases its sockets sit idle longer than the server keeps them (Node's 5 s keep-alive timeout),
  // and reusing one the server is just closing would fail a request with ECONNRESET.
  let agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const freshAgent = () => {
    agent.destroy();
    agent = new Agent({ keepAlive: true, maxSockets: 64 });
  };
  onCleanup("the HTTP agent", async () => agent.destroy());
  const get = (path: string, headers: Record<string, string>, signal?: AbortSignal) =>
    new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port: PORT, path, method: "GET", headers, agent, signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end();
    });
  const pagePath = (cursor: string | null) =>
    `/api/v1/instances?limit=${LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  interface ApiPage {
    items: { id: string }[];
    nextCursor: string | null;
    total: number;
  }
  const readApiPage = async (
    headers: Record<string, string>,
    cursor: string | null,
    signal?: AbortSignal,
  ) => {
    const res = await get(pagePath(cursor), headers, signal);
    if (res.status !== 200)
      throw new Error(`GET ${pagePath(cursor)} answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
    return { page: JSON.parse(res.body.toString("utf8")) as ApiPage, bytes: res.body.length };
  };

  // ---- each caller's pages, walked through the API and the floor side by side ------------------------
  // The load below asks for these pages by their cursors (an open loop cannot wait for the previous page's
  // answer to know the next cursor). Both walks must give the same rows in the same order, or the floor
  // would not be reading the API's page.
  const walks = new Map<
    string,
    { cursors: (string | null)[]; keys: (Keyset | null)[]; firstIds: string[] }
  >();
  for (const c of callers) {
    const cursors: (string | null)[] = [];
    const keys: (Keyset | null)[] = [];
    const firstIds: string[] = [];
    let cursor: string | null = null;
    let key: Keyset | null = null;
    let seen = 0;
    for (;;) {
      const { page } = await readApiPage(c.headers, cursor);
      const floor = await readFloorPage(handle.pool, c.scope, LIMIT, key);
      const apiIds = page.items.map((i) => i.id);
      if (page.total !== c.total) throw new Error(`${c.name}: the API counts ${page.total}, not ${c.total}`);
      if (apiIds.join() !== floor.ids.join())
        throw new Error(`${c.name}: page ${cursors.length + 1} differs between the API and the floor`);
      cursors.push(cursor);
      keys.push(key);
      firstIds.push(apiIds[0]!);
      seen += apiIds.length;
      if ((page.nextCursor === null) !== (floor.next === null))
        throw new Error(
          `${c.name}: the API and the floor disagree on whether page ${cursors.length} is the last`,
        );
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
      key = floor.next;
    }
    if (seen !== c.total) throw new Error(`${c.name}: paged through ${seen} instances, not ${c.total}`);
    walks.set(c.name, { cursors, keys, firstIds });
    note(
      `${c.name}: ${cursors.length} pages of ≤ ${LIMIT}, ${seen} instances, the same through the API and the floor`,
    );
  }

  // ---- warm-up (not counted): JIT, Next's route module, both pools -----------------------------------
  for (const c of callers) {
    const w = walks.get(c.name)!;
    for (let i = 0; i < Math.min(50, w.cursors.length * 2); i++) {
      await readApiPage(c.headers, w.cursors[i % w.cursors.length]!);
      await readFloorPage(handle.pool, c.scope, LIMIT, w.keys[i % w.keys.length]!);
    }
  }

  // ---- the load: API and floor take turns, per caller, in rounds ---------------------------------------
  const apiStep = (c: (typeof callers)[number]) => {
    const w = walks.get(c.name)!;
    return async (i: number, signal: AbortSignal) => {
      const p = i % w.cursors.length;
      const { page, bytes } = await readApiPage(c.headers, w.cursors[p]!, signal);
      if (page.items[0]?.id !== w.firstIds[p]) throw new Error(`${c.name}: page ${p + 1} changed`);
      return bytes;
    };
  };
  const floorStep = (c: (typeof callers)[number]) => {
    const w = walks.get(c.name)!;
    return async (i: number) => {
      const p = i % w.keys.length;
      const floor = await readFloorPage(handle.pool, c.scope, LIMIT, w.keys[p]!);
      if (floor.ids[0] !== w.firstIds[p]) throw new Error(`${c.name}: floor page ${p + 1} changed`);
      return 0;
    };
  };
  const { groupCpuMs } = await import("./lib/process-cpu");
  const portalCpuMs = new Map<string, number>();
  const results = new Map<string, OpenLoopResult[]>();
  const record = (key: string, r: OpenLoopResult) => {
    results.set(key, [...(results.get(key) ?? []), r]);
    for (const f of r.failures) note(`${key}: ${f}`);
  };
  note(
    `load: ${RATE} requests/s, ${ROUNDS} rounds of ${LOAD.seconds.toFixed(0)} s per caller and side (${SECONDS} s each in all)…`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of callers) {
      const sides: [string, () => Promise<OpenLoopResult>][] = [
        [
          `${c.name}:api`,
          () => {
            freshAgent();
            return runOpenLoop(LOAD, apiStep(c));
          },
        ],
        [`${c.name}:floor`, () => runOpenLoop(LOAD, floorStep(c))],
      ];
      if (round % 2) sides.reverse();
      for (const [key, run] of sides) {
        const cpuBefore = await groupCpuMs(portal.pid!);
        const r = await run();
        portalCpuMs.set(key, (portalCpuMs.get(key) ?? 0) + (await groupCpuMs(portal.pid!)) - cpuBefore);
        record(key, r);
        const sm = summarise(r.latencies);
        note(
          `round ${round + 1} ${key}: ${r.latencies.length}/${r.due} ok, p50 ${sm.p50.toFixed(1)} ms, p95 ${sm.p95.toFixed(1)} ms` +
            (r.errors || r.dropped ? `, ${r.errors} failed, ${r.dropped} dropped` : ""),
        );
        await sleep(500);
      }
    }
  }

  // ---- the figures ------------------------------------------------------------------------------------
  const merged = (keys: string[]) => {
    const rs = keys.flatMap((k) => results.get(k) ?? []);
    return {
      latencies: rs.flatMap((r) => r.latencies),
      sizes: rs.flatMap((r) => r.sizes),
      errors: rs.reduce((n, r) => n + r.errors, 0),
      dropped: rs.reduce((n, r) => n + r.dropped, 0),
      due: rs.reduce((n, r) => n + r.due, 0),
      wallMs: rs.reduce((n, r) => n + r.wallMs, 0),
    };
  };
  const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "n/a");
  const ratioOf = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? (a / b).toFixed(2) : "n/a");
  out(`api_list_instances=${INSTANCES}`);
  out(`api_list_users=${USERS}`);
  out(`api_list_page_size=${LIMIT}`);
  out(`api_list_target_rate=${RATE}`);
  for (const c of callers) {
    const api = merged([`${c.name}:api`]);
    const floor = merged([`${c.name}:floor`]);
    const a = summarise(api.latencies);
    const f = summarise(floor.latencies);
    out(`api_list_${c.name}_pages=${walks.get(c.name)!.cursors.length}`);
    out(`api_list_${c.name}_p50_ms=${f1(a.p50)}`);
    out(`api_list_${c.name}_p95_ms=${f1(a.p95)}`);
    out(`api_list_${c.name}_floor_p50_ms=${f1(f.p50)}`);
    out(`api_list_${c.name}_floor_p95_ms=${f1(f.p95)}`);
    // The portal's CPU per API request (its process group: Next, the handler, the controller's idle work).
    out(
      `api_list_${c.name}_portal_cpu_ms_per_request=${(portalCpuMs.get(`${c.name}:api`)! / Math.max(1, api.latencies.length)).toFixed(1)}`,
    );
    out(`api_list_${c.name}_page_bytes_p50=${percentile(api.sizes, 50).toFixed(0)}`);
    out(`api_list_${c.name}_p95_ratio=${ratioOf(a.p95, f.p95)}`);
  }
  const api = merged(callers.map((c) => `${c.name}:api`));
  const floor = merged(callers.map((c) => `${c.name}:floor`));
  const a = summarise(api.latencies);
  const f = summarise(floor.latencies);
  // What the portal burns doing nothing asked of it (its controller and maintenance), for comparison.
  const idleCpu = callers.reduce((n, c) => n + (portalCpuMs.get(`${c.name}:floor`) ?? 0), 0);
  out(`api_list_portal_idle_cpu_ms_per_s=${(idleCpu / (floor.wallMs / 1000)).toFixed(1)}`);
  out(`api_list_requests=${api.due}`);
  out(`api_list_errors=${api.errors}`);
  out(`api_list_dropped=${api.dropped}`);
  out(`api_list_floor_errors=${floor.errors + floor.dropped}`);
  out(`api_list_achieved_rate=${(api.latencies.length / (api.wallMs / 1000)).toFixed(1)}`);
  out(`api_list_floor_achieved_rate=${(floor.latencies.length / (floor.wallMs / 1000)).toFixed(1)}`);
  out(`api_list_max_ms=${f1(a.max)}`);
  out(`api_list_floor_p50_ms=${f1(f.p50)}`);
  out(`api_list_floor_p95_ms=${f1(f.p95)}`);
  out(`api_list_p50_ms=${f1(a.p50)}`);
  out(`api_list_p95_ms=${f1(a.p95)}`);
  out(`api_list_p95_goal=${GOAL}`);
  out(`api_list_p95_ratio=${ratioOf(a.p95, f.p95)}`);
  const loadAtEnd = os.loadavg();
  note(`load average at the end: ${loadAtEnd.map((l) => l.toFixed(2)).join(" ")}`);

  if (BREAKDOWN_RUNS > 0) {
    const { measureBreakdown } = await import("./lib/api-breakdown");
    for (const c of callers) {
      freshAgent();
      const w = walks.get(c.name)!;
      const steps = await measureBreakdown({
        runs: BREAKDOWN_RUNS,
        headers: c.headers,
        pages: w.cursors.map((cursor, i) => ({ path: pagePath(cursor), key: w.keys[i]! })),
        floor: (key) => readFloorPage(handle.pool, c.scope, LIMIT, key),
        http: (path) => get(path, c.headers),
        port: PORT,
      });
      for (const [step, v] of Object.entries(steps)) out(`api_list_${c.name}_breakdown_${step}=${v}`);
    }
  }

  note(`done in ${((Date.now() - runStarted) / 1000).toFixed(0)} s`);
  // Failed requests fail the run; a ratio over the goal does not (it is a figure to report).
  return api.errors + api.dropped + floor.errors + floor.dropped > 0 ? 1 : 0;
}
