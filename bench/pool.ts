// npm run bench:pool [-- --n 30 --power-ops 30 --resets 5]
//
// Desktop pools against the raw floor, in one run on this machine (bench/README.md, "Pool benchmark"):
//  (a) raw floor: N overlays + QEMU spawned in parallel until QMP says running (bench/pool-raw-floor.ts);
//  (b) a pool of N desktops started through the portal's domain (pools.start → the pool controller →
//      placement → the real agent) until all are RUNNING: pool_start_ratio = b / a;
//  then N students opening the warm pool at once: desktop_handout_p95_ms (desktops.open → console ticket);
//  then desktop_reset_ratio: desktops.reset until RUNNING again ÷ the raw overlay re-create + spawn.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { register } from "node:module";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { closePortalSingletons } from "./lib/close-portal-singletons";
import { expectExit } from "./lib/exit-check";

register("./lib/loader-hooks.mjs", import.meta.url);
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
process.chdir(repoRoot);

const { values: cli } = parseArgs({
  options: {
    n: { type: "string", default: "30" },
    // The raw floor spawns all N at once; the pool gets the same room unless told otherwise (the portal's
    // default per-host limit, POOL_HOST_POWER_OPS, is 4: run with --power-ops 4 to see that).
    "power-ops": { type: "string" },
    resets: { type: "string", default: "5" },
  },
});
const N = Number(cli.n);
const POWER_OPS = Number(cli["power-ops"] ?? cli.n);
const RESETS = Number(cli.resets);
if (![N, POWER_OPS, RESETS].every((v) => Number.isInteger(v) && v >= 1))
  throw new Error("--n, --power-ops and --resets take whole numbers ≥ 1");
const FLAVOR = { vcpus: 1, memoryMiB: 128, diskGiB: 1 };
const out = (line = "") => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sleep = (msDelay: number) => new Promise((r) => setTimeout(r, msDelay));
const runStarted = Date.now();

// ---- this run's database and Redis prefix (what Vitest's global setup does for the tests) ----------
const testDb = await import("@/server/testing/test-database");
const baseUrl = testDb.baseDatabaseUrl(); // loads .env when DATABASE_URL is not set
const dbName = testDb.newTestDatabaseName("bench");
const prefix = dbName;
const storeDir = await mkdtemp(join(os.tmpdir(), "educloud-bench-store-"));
// Raw VMs' sockets live here: keep the path short (unix socket paths are limited to 107 bytes).
const rawDir = await mkdtemp("/tmp/ecb-");
Object.assign(process.env, {
  DATABASE_URL: testDb.urlForDatabase(baseUrl, dbName),
  REDIS_PREFIX: prefix,
  IMAGE_STORE_DIR: storeDir, // read by the image route's settings
  LOG_LEVEL: "silent",
  NODE_ENV: "test",
});
process.env.NEXTAUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-0000";

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
          timer = setTimeout(() => reject(new Error("timed out")), 60_000);
        }),
      ])
        .catch((err) => note(`clean-up of ${c.what} failed: ${(err as Error).message}`))
        .finally(() => clearTimeout(timer)); // a pending 60 s timer per step would hold the exit
    }
  })();
  return cleaning;
}
// Ctrl-C reaches this process twice (from the terminal and relayed by tsx): keep a handler installed so a
// repeated signal cannot kill the process half-way through its clean-up.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (cleaning) return;
    note(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/**
 * Last resort: every process that carries this run's REDIS_PREFIX in its environment is one this run
 * started (the agent, its npx/tsx wrappers, the VMs it and this process spawned). Kills them by pid.
 */
async function killOurProcesses(): Promise<number> {
  const mark = `\0REDIS_PREFIX=${prefix}\0`;
  let killed = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
    if (!`\0${environ}`.includes(mark)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    const stateDir = /--state-dir\0([^\0]+)/.exec(cmdline)?.[1];
    try {
      process.kill(Number(entry), "SIGKILL");
      killed++;
    } catch {
      /* gone */
    }
    if (stateDir?.startsWith(os.tmpdir()))
      await rm(stateDir, { recursive: true, force: true }).catch(() => undefined);
  }
  return killed;
}

// Runs last: the Redis client and pool that importing portal modules opened (see the helper).
onCleanup("the portal modules' connections", () => closePortalSingletons());
onCleanup("the database and Redis keys", async () => {
  await testDb.dropTestDatabase(baseUrl, dbName);
  const { Redis } = await import("ioredis");
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
});
onCleanup("temporary directories", async () => {
  await rm(storeDir, { recursive: true, force: true });
  await rm(rawDir, { recursive: true, force: true });
});
onCleanup("left-over processes", async () => {
  const killed = await killOurProcesses();
  if (killed) note(`killed ${killed} left-over process(es) of this run`);
});

let exitCode = 0;
try {
  await main();
} catch (err) {
  exitCode = 1;
  // After Ctrl-C the clean-up pulls the stack away under the running step: that error is expected.
  if (!cleaning) process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  await cleanUp();
}
// No process.exit(): the run ends when nothing is left open, and expectExit() names a leak if it is not.
process.exitCode = exitCode;
expectExit(note);

/**
 * Waits until the machine's CPUs are at least half idle over one second, or `timeoutMs`; returns how
 * long it waited and whether they did.
 */
async function waitCpuSettled(timeoutMs: number): Promise<{ waitedMs: number; settled: boolean }> {
  const started = Date.now();
  const sample = async () => {
    const cpu = (await readFile("/proc/stat", "utf8"))
      .split("\n")[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return { idle: cpu[3]! + (cpu[4] ?? 0), total: cpu.reduce((a, b) => a + b, 0) };
  };
  while (Date.now() - started < timeoutMs) {
    const a = await sample();
    await sleep(1000);
    const b = await sample();
    if ((b.idle - a.idle) / Math.max(1, b.total - a.total) >= 0.5)
      return { waitedMs: Date.now() - started, settled: true };
  }
  return { waitedMs: Date.now() - started, settled: false };
}

// ------------------------------------------------------------------------------------------------------
/** The raw measurements (bench/pool-raw-floor.ts). */
interface RawFloor {
  measureRawFloor(n: number): Promise<number | { wallMs: number }>;
  measureRawReset(): Promise<number | { wallMs: number }>;
}
// A declaration (hoisted): main() runs above, before a `const` here would be initialised.
function wallOf(v: number | { wallMs: number }): number {
  return typeof v === "number" ? v : v.wallMs;
}

async function main(): Promise<void> {
  await testDb.createTestDatabase(baseUrl, dbName);
  const { migrateDatabase } = await import("../scripts/migrate");
  await migrateDatabase(process.env.DATABASE_URL!);

  const { summarise, median, ms, ratio } = await import("./lib/stats");
  const { killProcessesUnder } = await import("@/agents/node-agent/drivers/qemu/testing/kill-test-vms");
  const { hosts, instanceEvents, instances } = await import("@/db/schema");
  const { and, eq, inArray, isNull } = await import("drizzle-orm");
  const imageRoute = await import("@/app/api/v1/agent/images/[id]/content/route");
  const joinRoute = await import("@/app/api/v1/agent/join/route");
  const { startComputeStack } = await import("@/server/testing/compute-stack");
  const { callerFor, makeGroup, makeUser, testSettings } = await import("@/server/testing/fixtures");
  const { makeLab, makeProfile } = await import("@/server/testing/lab-fixtures");
  const { serveRoute } = await import("@/server/testing/serve-route");
  const { createHostJobPort } = await import("@/server/queue/host-jobs");
  const { createQueueConnection } = await import("@/server/queue/redis");
  const { controlPools } = await import("@/server/domain/pools/control-pools");
  const { setPoolNudge } = await import("@/server/domain/pools/pool-nudge");

  onCleanup("raw VMs", () => killProcessesUnder(rawDir));
  const rawModule = "./pool-raw-floor";
  const raw = (await import(rawModule).catch(() => null)) as RawFloor | null;
  if (!raw) note("bench/pool-raw-floor.ts could not be loaded: the ratios print n/a");

  note("starting the compute stack (MariaDB, Redis, controller, agent process)…");
  const stack = await startComputeStack({
    storeDir,
    imageRoute: imageRoute.GET as never,
    joinRoute: joinRoute.POST,
    flavor: FLAVOR,
    agentConcurrency: Math.max(N, 4),
    isolate: true,
  });
  onCleanup("the compute stack", () => stack.stop());
  const { s } = stack;
  const [host] = await s.db.select().from(hosts).where(eq(hosts.id, stack.hostId));
  // N × 1 vCPU on this host: lift the scheduler's vCPU cap as bench:provision does (an operator setting).
  const cpuOvercommit = Math.max(4, Math.ceil((N * FLAVOR.vcpus) / host!.cpuCount));
  const imageServer = await serveRoute("/api/v1/agent/images/:id/content", imageRoute.GET as never);
  const queueConn = createQueueConnection(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const jobs = createHostJobPort(queueConn, prefix);
  onCleanup("the bench's job port and image server", async () => {
    await jobs.close();
    queueConn.disconnect();
    await imageServer.close();
  });
  const settings = testSettings({ portalUrl: imageServer.url, cpuOvercommit });

  // A class, its teacher, N students, a profile of the stack's image and flavor, a lab of N seats.
  const groupId = await makeGroup(s);
  const teacher = await makeUser(s, "powerAdm", [groupId]);
  const students = await Promise.all(Array.from({ length: N }, () => makeUser(s, "user", [groupId])));
  const { profileId } = await makeProfile(s, { groupId, flavorId: stack.flavorId, imageId: stack.imageId });
  const labId = await makeLab(s, { groupId, seats: N, profileIds: [profileId] });
  const as = (actor: typeof teacher) => callerFor(s, actor, undefined, { jobs, settings });
  const teacherApi = as(teacher);

  // The portal's background worker, in this process: the controller on a 1 s tick and on every nudge
  // (the instance-state hook nudges when a desktop's state changes), one pass at a time.
  let running: Promise<void> | null = null;
  const creations: { at: number; n: number }[] = [];
  let again = false;
  let stopped = false;
  const pass = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = controlPools({ db: s.db, jobs, settings, hostPowerOps: POWER_OPS })
      .then(
        (r) => {
          if (r.created) creations.push({ at: Date.now(), n: r.created });
        },
        (err: unknown) => {
          note(`controller: ${(err as Error).message}`);
        },
      )
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          pass();
        }
      });
  };
  setPoolNudge(pass);
  const tick = setInterval(pass, 1000);
  onCleanup("the pool controller", async () => {
    stopped = true;
    clearInterval(tick);
    setPoolNudge(null);
    await running;
  });

  const poolDesktops = (poolId: number) =>
    s.db
      .select()
      .from(instances)
      .where(and(eq(instances.poolId, poolId), isNull(instances.deletedAt)));
  async function waitAll(
    poolId: number,
    pred: (d: Awaited<ReturnType<typeof poolDesktops>>[number]) => boolean,
    n: number,
    timeoutMs: number,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ds = await poolDesktops(poolId);
      const err = ds.find((d) => d.state === "ERROR");
      if (err) throw new Error(`desktop ${err.id} went to ERROR: ${err.errorReason}`);
      if (ds.filter(pred).length >= n) return performance.now();
      if (Date.now() > deadline) throw new Error(`pool ${poolId}: not ready within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /**
   * Where (b)'s time went, from the rows MySQL kept: when the controller made each desktop (row), when
   * the agent took its job (BUILDING, reported at the job's start) and when it reported RUNNING — the
   * last of each, from the start; and the longest BUILDING → RUNNING (the agent's own work).
   */
  async function notePoolStartPhases(poolId: number, startedAt: number): Promise<void> {
    const ds = await poolDesktops(poolId);
    // A desktop the controller took away meanwhile (replaced, surplus): say which way it went.
    const gone = (await s.db.select().from(instances).where(eq(instances.poolId, poolId))).filter(
      (d) => d.state === "DELETED" || d.state === "DELETING",
    );
    for (const d of gone) {
      const timeline = await s.db
        .select()
        .from(instanceEvents)
        .where(eq(instanceEvents.instanceId, d.id))
        .orderBy(instanceEvents.id);
      note(
        `desktop ${d.id} left the pool (${d.state}): ` +
          timeline
            .map(
              (e) =>
                `+${e.at.getTime() - startedAt} ms ${e.fromState ?? ""}→${e.toState ?? ""} ${JSON.stringify(e.message)}`,
            )
            .join("; "),
      );
    }
    // The RUNNING timeline row is written just after the state: give the last ones a moment.
    let evs: (typeof instanceEvents.$inferSelect)[] = [];
    for (let i = 0; i < 20; i++) {
      evs = await s.db
        .select()
        .from(instanceEvents)
        .where(
          inArray(
            instanceEvents.instanceId,
            ds.map((d) => d.id),
          ),
        );
      if (ds.every((d) => evs.some((e) => e.instanceId === d.id && e.toState === "RUNNING"))) break;
      await sleep(100);
    }
    const at = (id: string, to: string) =>
      evs.find((e) => e.instanceId === id && e.toState === to)?.at.getTime() ?? Number.NaN;
    const last = (xs: number[]) => Math.max(...xs) - startedAt;
    const made = ds.map((d) => d.createdAt.getTime());
    const building = ds.map((d) => at(d.id, "BUILDING"));
    const runningAt = ds.map((d) => at(d.id, "RUNNING"));
    const agentWork = ds.map((_, i) => runningAt[i]! - building[i]!);
    note(
      `pool start: last row made +${last(made).toFixed(0)} ms, last job taken (BUILDING) +${last(building).toFixed(0)} ms, ` +
        `last RUNNING +${last(runningAt).toFixed(0)} ms; agent BUILDING → RUNNING max ${Math.max(...agentWork).toFixed(0)} ms, ` +
        `median ${median(agentWork).toFixed(0)} ms; controller passes that made desktops: ` +
        creations
          .filter((c) => c.at >= startedAt)
          .map((c) => `${c.n} at +${c.at - startedAt} ms`)
          .join(", "),
    );
  }

  // ---- warm-up: one desktop fetches the image into the agent's cache (not counted) -------------------
  const warm = await teacherApi.pools.create({ labId, profileId, size: 1, spare: 1 });
  await teacherApi.pools.start({ id: warm.id });
  await waitAll(warm.id, (d) => d.state === "RUNNING" && !d.task, 1, 180_000);
  await teacherApi.pools.delete({ id: warm.id });
  await sleep(2000);

  // ---- (a) raw floor -----------------------------------------------------------------------------------
  const rawFloorMs = raw ? wallOf(await raw.measureRawFloor(N)) : Number.NaN;
  out(`raw_floor_ms=${rawFloorMs.toFixed(0)}`);

  // ---- (b) the pool through the portal ------------------------------------------------------------------
  const pool = await teacherApi.pools.create({ labId, profileId, size: N, spare: N });
  const t0 = performance.now();
  await teacherApi.pools.start({ id: pool.id });
  const t1 = await waitAll(pool.id, (d) => d.state === "RUNNING" && !d.task, N, 600_000);
  const poolStartMs = t1 - t0;
  out(`pool_start_ms=${poolStartMs.toFixed(0)}`);
  out(`pool_power_ops=${POWER_OPS}`);
  out(`pool_start_ratio=${ratio(poolStartMs, rawFloorMs)}`);
  await notePoolStartPhases(pool.id, Date.now() - poolStartMs);

  // ---- hand-out: N students at once, request → console ticket -----------------------------------------
  // "Warm" means booted: N guests booting under TCG take every CPU of this 2-core machine for a while,
  // and the portal would be timed competing with them. Wait (≤ 120 s) until the CPUs are half idle.
  const settle = await waitCpuSettled(120_000);
  note(
    settle.settled
      ? `guests settled ${(settle.waitedMs / 1000).toFixed(0)} s after the last RUNNING`
      : `CPUs still busy ${(settle.waitedMs / 1000).toFixed(0)} s after the last RUNNING (guests still booting): hand-out timed against them`,
  );
  const handout = await Promise.all(
    students.map(async (st) => {
      const api = as(st);
      const start = performance.now();
      const d = await api.desktops.open({ labId }).catch(async (err: unknown) => {
        const ds = await poolDesktops(pool.id);
        note(
          `open failed for ${st.username}: ${ds.length} desktops: ` +
            JSON.stringify(ds.map((x) => [x.state, x.task, x.assignedTo])),
        );
        throw err;
      });
      const opened = performance.now();
      await api.consoles
        .createTicket({ instanceId: d.instanceId, kind: "vnc" })
        .catch(async (err: unknown) => {
          const ds = await poolDesktops(pool.id);
          note(
            `ticket failed for ${st.username} (${JSON.stringify(d)}): ` +
              JSON.stringify(ds.map((x) => [x.state, x.task, x.assignedTo, x.errorReason])),
          );
          throw err;
        });
      return { ms: performance.now() - start, openMs: opened - start, id: d.instanceId };
    }),
  );
  if (new Set(handout.map((h) => h.id)).size !== N) throw new Error("two students got the same desktop");
  const h = summarise(handout.map((x) => x.ms));
  const o = summarise(handout.map((x) => x.openMs));
  note(
    `hand-out: p50 ${ms(h.p50)}  p95 ${ms(h.p95)}  max ${ms(h.max)}; of it desktops.open p50 ${ms(o.p50)} max ${ms(o.max)}`,
  );
  out(`desktop_handout_p95_ms=${h.p95.toFixed(0)}`);

  // ---- reset: the teacher resets one desktop until it is RUNNING again --------------------------------
  const resetMs: number[] = [];
  const target = handout[0]!.id;
  for (let i = 0; i < RESETS; i++) {
    const start = performance.now();
    await teacherApi.desktops.reset({ instanceId: target });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [d] = await s.db.select().from(instances).where(eq(instances.id, target));
      if (d!.state === "RUNNING" && !d!.task) break;
      if (d!.state === "ERROR") throw new Error(`reset went to ERROR: ${d!.errorReason}`);
      if (Date.now() > deadline) throw new Error("reset did not finish within 120 s (agent protocol 6?)");
      await sleep(10);
    }
    resetMs.push(performance.now() - start);
  }
  const rawResets: number[] = [];
  if (raw) for (let i = 0; i < RESETS; i++) rawResets.push(wallOf(await raw.measureRawReset()));
  note(`reset: portal p50 ${ms(median(resetMs))}, raw p50 ${ms(median(rawResets))}`);
  out(`desktop_reset_ms=${median(resetMs).toFixed(0)}`);
  out(`desktop_reset_ratio=${ratio(median(resetMs), median(rawResets))}`);

  note("taking the pool away…");
  await teacherApi.pools.delete({ id: pool.id });
  const deadline = Date.now() + 120_000;
  while ((await poolDesktops(pool.id)).some((d) => d.state !== "DELETED") && Date.now() < deadline)
    await sleep(200);
  note(`done in ${((Date.now() - runStarted) / 1000).toFixed(0)} s`);
}
