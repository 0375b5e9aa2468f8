// npm run bench:placement [-- --runs 40 --instances 5000]
//
// What does placing one instance cost, and how does it grow with the number of hosts? In-process, against
// a MariaDB database of its own (dropped at the end) and a recording job port (nothing reaches Redis or an
// agent): createInstances with one instance at 10, 100 and 1,000 host rows, each time with a few thousand
// live instances on those hosts (and as many deleted ones), then one batch of 30. See bench/README.md.
import { randomBytes, randomUUID } from "node:crypto";
import { register } from "node:module";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// Portal modules may import `server-only`: see lib/loader-hooks.mjs.
register("./lib/loader-hooks.mjs", import.meta.url);
process.chdir(fileURLToPath(new URL("..", import.meta.url)));

const { values: cli } = parseArgs({
  options: {
    runs: { type: "string", default: "40" },
    warmup: { type: "string", default: "5" },
    instances: { type: "string", default: "5000" },
    batches: { type: "string", default: "5" },
  },
});
const RUNS = Number(cli.runs);
const WARMUP = Number(cli.warmup);
const LIVE = Number(cli.instances);
const BATCHES = Number(cli.batches);
if (![RUNS, WARMUP, LIVE, BATCHES].every((v) => Number.isInteger(v) && v >= 0) || RUNS < 1 || BATCHES < 1)
  throw new Error("--runs, --warmup, --instances and --batches take whole numbers (runs, batches ≥ 1)");
const SIZES = [10, 100, 1000];
const BATCH = 30;
const GOAL = 3; // from the issue: time at 1,000 hosts at most 3× the time at 10
const out = (line = "") => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const testDb = await import("@/server/testing/test-database");
const { migrateDatabase } = await import("@/scripts/migrate");
const { createDatabase } = await import("@/server/db/client");
const schema = await import("@/db/schema");
const { createInstances } = await import("@/server/domain/provisioning/create-instances");
const { percentile } = await import("./lib/stats");
const { sql } = await import("drizzle-orm");

const base = testDb.baseDatabaseUrl();
const stamp = testDb.newTestDatabaseName("bench");
// One database per size, so the sizes can be measured in turns (round 1: 10, 100, 1,000; round 2: …) and
// whatever else the machine is doing weighs on all of them alike.
const dbNames = SIZES.map((size) => `${stamp}_${size}`);
const handles: ReturnType<typeof createDatabase>[] = [];

type Ctx = Parameters<typeof createInstances>[0];

async function prepare(size: number, dbName: string) {
  await testDb.createTestDatabase(base, dbName);
  const url = testDb.urlForDatabase(base, dbName);
  await migrateDatabase(url);
  const handle = createDatabase(url);
  handles.push(handle);
  const { db } = handle;

  const [user] = await db.insert(schema.users).values({
    username: "bench",
    displayName: "bench",
    passwordHash: "x",
    role: "superAdm",
  });
  const [flavor] = await db
    .insert(schema.flavors)
    .values({ name: "bench", vcpus: 1, memoryMiB: 128, diskGiB: 1 });
  const imageId = randomUUID();
  await db.insert(schema.images).values({
    id: imageId,
    name: "bench",
    sha256: randomBytes(32).toString("hex"),
    format: "qcow2",
    sizeBytes: 10_000_000,
    virtualSizeBytes: 32 * 1024 * 1024,
    visibility: "public",
  });
  const sent: { hostId: string; jobId: string }[] = [];
  const ctx = {
    db,
    redis: null as never, // creation never touches Redis but through the job port
    hostChannel: null as never,
    hooks: null as never, // creation changes no memberships
    actor: {
      id: user.insertId,
      username: "bench",
      role: "superAdm" as const,
      groupIds: [],
      adminGroupIds: [],
    },
    ip: "127.0.0.1",
    settings: {
      cpuOvercommit: 4,
      ramOvercommit: 1,
      diskOvercommit: 1,
      schedulerStrategy: "spread" as const,
      hostDownAfterSeconds: 3600,
      joinTokenTtlSeconds: 600,
      portalUrl: "http://127.0.0.1:3999",
      agentRedisUrl: "redis://127.0.0.1:6379",
      redisPrefix: dbName,
      imageStoreDir: "/tmp",
      subnetTimeoutSeconds: 120,
      portForwardRange: [20000, 29999] as [number, number],
      consoleTicketKey: Buffer.alloc(32), // placement issues no console tickets
      settingsSealKey: Buffer.alloc(32),
      terminalKey: Buffer.alloc(32),
      kioskIdleSeconds: 15 * 60,
    },
    // A recording job port: what would go to each host's queue.
    jobs: {
      async enqueue(hostId: string, _name: string, _data: unknown, jobId: string) {
        sent.push({ hostId, jobId });
      },
    },
  } as Ctx;
  const facts = {
    hostname: "bench",
    cpuModel: "bench",
    cpuCount: 256,
    memoryMiB: 4 * 1024 * 1024,
    diskFreeBytes: 1e12,
    diskTotalBytes: 2e12,
    storageDir: "/tmp",
    hypervisors: [{ kind: "qemu" as const, available: true, version: "8.2" }],
    kvmUsable: true,
    agentVersion: "bench",
    protocolVersion: 2,
  };
  // Big hosts, so capacity never runs out and every host stays a candidate (the most work for placement).
  const hostRows = Array.from({ length: size }, (_, i) => ({
    id: randomUUID(),
    name: `bench-${String(i).padStart(4, "0")}`,
    secretHash: "0".repeat(64),
    cpuCount: facts.cpuCount,
    memoryMiB: facts.memoryMiB,
    facts,
    lastHeartbeatAt: new Date(),
  }));
  for (let i = 0; i < hostRows.length; i += 500)
    await db.insert(schema.hosts).values(hostRows.slice(i, i + 500));
  // The same number of live (and deleted) instances at every size, spread over the hosts.
  const rows = Array.from({ length: LIVE * 2 }, (_, i) => ({
    id: randomUUID(),
    name: `seed-${i}`,
    ownerId: user.insertId,
    flavorId: flavor.insertId,
    imageId,
    vcpus: 1,
    memoryMiB: 128,
    diskGiB: 1,
    hostId: hostRows[i % size]!.id,
    state: i % 2 ? ("DELETED" as const) : ("RUNNING" as const),
  }));
  for (let i = 0; i < rows.length; i += 1000)
    await db.insert(schema.instances).values(rows.slice(i, i + 1000));
  await db.execute(sql`ANALYZE TABLE instances, hosts, host_usage`);

  const place = async (n: number) => {
    const t0 = performance.now();
    const made = await createInstances(ctx, {
      imageId,
      flavorId: flavor.insertId,
      nics: [],
      instances: Array.from({ length: n }, (_, i) => ({ name: `bench-${i}` })),
    });
    if (made.length !== n) throw new Error(`placed ${made.length} of ${n}`);
    return performance.now() - t0;
  };
  return { size, place, sent };
}

async function main() {
  const setups = [];
  for (const [i, size] of SIZES.entries()) {
    note(`preparing ${size} hosts with ${LIVE} live + ${LIVE} deleted instances`);
    setups.push(await prepare(size, dbNames[i]!));
  }
  for (let i = 0; i < WARMUP; i++) for (const s of setups) await s.place(1);
  note(`measuring ${RUNS} rounds of one create per size`);
  const times = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const paired: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const round = new Map<number, number>();
    for (const s of r % 2 ? [...setups].reverse() : setups) round.set(s.size, await s.place(1));
    for (const [n, t] of round) times.get(n)!.push(t);
    paired.push(round.get(1000)! / round.get(10)!);
  }
  for (const n of SIZES) {
    out(`placement_ms_per_instance_at_${n}_hosts=${percentile(times.get(n)!, 50).toFixed(2)}`);
    out(`placement_p95_ms_at_${n}_hosts=${percentile(times.get(n)!, 95).toFixed(2)}`);
  }
  note(`measuring ${BATCHES} batches of ${BATCH} at 1,000 hosts`);
  const big = setups[setups.length - 1]!;
  const per: number[] = [];
  for (let b = 0; b < BATCHES; b++) per.push((await big.place(BATCH)) / BATCH);
  out(`placement_batch_of_${BATCH}_ms_per_instance_at_1000_hosts=${percentile(per, 50).toFixed(2)}`);
  out(`placement_live_instances=${LIVE}`);
  out(`placement_jobs_recorded=${setups.reduce((n, s) => n + s.sent.length, 0)}`);
  out(`placement_growth_goal=${GOAL}`);
  // The median of per-round ratios: a busy moment slows both sides of a round alike.
  out(`placement_growth_ratio=${percentile(paired, 50).toFixed(2)}`);
}

let code = 0;
try {
  await main();
} catch (err) {
  note(`failed: ${(err as Error).stack ?? String(err)}`);
  code = 1;
} finally {
  for (const h of handles) await h.pool.end().catch(() => undefined);
  for (const name of dbNames)
    await testDb.dropTestDatabase(base, name).catch((err) => note(`could not drop ${name}: ${err}`));
}
process.exit(code);
