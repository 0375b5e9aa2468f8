// npm run bench:console
//
// What the console path costs. In one run, on this machine, against a real QEMU test VM:
//  (a) direct: an RFB client on the VM's VNC unix socket;
//  (b) the browser's path: the same client over a WebSocket to the portal's console proxy, which checks
//      a ticket and reaches the agent's console bridge, which reaches the same socket;
// then 50 console sessions at once through one proxy. All on loopback. See bench/README.md.
import { createServer } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { register } from "node:module";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { closePortalSingletons } from "./lib/close-portal-singletons";
import { expectExit } from "./lib/exit-check";

register("./lib/loader-hooks.mjs", import.meta.url);
process.chdir(fileURLToPath(new URL("..", import.meta.url)));

const out = (line = "") => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const SECONDS = 3;
const PINGS = 200;
const SESSIONS = 50;
const VMS = 4; // the agent allows 16 VNC viewers per VM

const testDb = await import("@/server/testing/test-database");
const baseUrl = testDb.baseDatabaseUrl();
const dbName = testDb.newTestDatabaseName("cbench");
const stateDir = await mkdtemp("/tmp/ecc-"); // short: unix socket paths are limited to 107 bytes
Object.assign(process.env, {
  DATABASE_URL: testDb.urlForDatabase(baseUrl, dbName),
  REDIS_PREFIX: dbName,
  LOG_LEVEL: "silent",
  NODE_ENV: "test",
});
process.env.NEXTAUTH_SECRET ??= "console-bench-secret-console-bench-secret-00";

const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp() {
  for (const c of cleanups.reverse())
    await c().catch((err) => note(`clean-up failed: ${(err as Error).message}`));
}
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.on(sig, () => void cleanUp().finally(() => process.exit(130)));

// Runs last: the Redis client and pool that importing portal modules opened (see the helper).
cleanups.push(() => closePortalSingletons());
try {
  await testDb.createTestDatabase(baseUrl, dbName);
  cleanups.push(() => testDb.dropTestDatabase(baseUrl, dbName));
  await (await import("../scripts/migrate")).migrateDatabase(process.env.DATABASE_URL!);

  const pino = (await import("pino")).default;
  const { eq } = await import("drizzle-orm");
  const { hosts } = await import("@/db/schema");
  const f = await import("@/server/testing/fixtures");
  const { QemuDriver } = await import("@/agents/node-agent/drivers/qemu/qemu-driver");
  const { resolveVmPaths } = await import("@/agents/node-agent/drivers/qemu/vm-paths");
  const { startConsoleServer } = await import("@/agents/node-agent/console/console-server");
  const { importVerifyKey, exportVerifyKey } = await import("@/agents/protocol/console-grant");
  const { deriveConsoleSigningKey } = await import("@/server/console/console-key");
  const { createConsoleProxy } = await import("@/server/console/console-proxy");
  const { createConsoleTicket } = await import("@/server/domain/consoles/console-tickets");
  const { ensureTestImage } = await import("@/server/testing/test-image");
  const { handshake, openUnixStream, openWebSocketStream, requestUpdate } = await import("./lib/rfb-client");
  const { summarise } = await import("./lib/stats");

  const s = f.openTestServices();
  cleanups.push(async () => {
    if (s.redis.status === "ready") {
      const keys = await s.redis.keys(`${dbName}:*`);
      if (keys.length) await s.redis.del(...keys);
    }
    await s.close().catch(() => undefined);
  });
  const silent = pino({ level: "silent" });

  // The VMs and the rows that describe them.
  const hostId = await f.makeHost(s);
  const flavorId = await f.makeFlavor(s, { memoryMiB: 64 });
  const imageId = await f.makeImageRow(s);
  const owner = await f.makeUser(s, "superAdm");
  const driver = new QemuDriver({ stateDir });
  cleanups.push(async () => {
    for (const vm of await driver.list()) await driver.delete(vm.id);
    await rm(stateDir, { recursive: true, force: true });
  });
  const base = await ensureTestImage();
  const vmIds: string[] = [];
  for (let i = 0; i < VMS; i++) {
    const id = await f.makeInstanceRow(s, {
      ownerId: owner.id,
      groupId: null,
      hostId,
      flavorId,
      imageId,
      state: "RUNNING",
    });
    await driver.create({
      id,
      name: `cbench-${i}`,
      vcpus: 1,
      memoryMiB: 64,
      diskGiB: 1,
      baseImagePath: base,
      baseImageFormat: "qcow2",
      accel: "tcg",
    });
    vmIds.push(id);
  }
  note(`${VMS} VMs up; letting them boot`);
  await new Promise((r) => setTimeout(r, 8000));

  // The agent's bridge (its real code, in this process) and the portal's proxy on loopback.
  const signingKey = deriveConsoleSigningKey(process.env.NEXTAUTH_SECRET!);
  const verifyKey = importVerifyKey(exportVerifyKey(signingKey));
  const bridge = await startConsoleServer({
    hostId,
    consoles: driver,
    getVerifyKey: () => verifyKey,
    listen: { host: "127.0.0.1", port: 0 },
    log: silent,
  });
  cleanups.push(() => bridge.close());
  await s.db
    .update(hosts)
    .set({ consoleUrl: bridge.url, lastHeartbeatAt: new Date() })
    .where(eq(hosts.id, hostId));
  const proxy = createConsoleProxy({
    db: s.db,
    redis: s.redis,
    redisPrefix: dbName,
    hostDownAfterSeconds: 3600,
    signingKey,
    ticketKey: f.testSettings().consoleTicketKey,
    allowedOrigins: [],
    idleTimeoutMs: 3_600_000,
    maxPerUser: 4,
    maxPerProcess: 200,
    log: silent,
  });
  cleanups.push(async () => proxy.close());
  const portal = createServer();
  portal.on("upgrade", (req, socket, head) => proxy.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => portal.listen(0, "127.0.0.1", () => r()));
  cleanups.push(() => new Promise((r) => portal.close(() => r(undefined))));
  const origin = `http://127.0.0.1:${(portal.address() as { port: number }).port}`;

  const viaProxy = async (user: Awaited<ReturnType<typeof f.makeUser>>, instanceId: string) => {
    const t = await createConsoleTicket(f.contextFor(s, user), { instanceId, kind: "vnc" });
    return handshake(
      await openWebSocketStream(`${origin.replace("http", "ws")}${t.path}?ticket=${t.ticket}`, origin),
    );
  };
  const direct = async (instanceId: string) =>
    handshake(await openUnixStream(resolveVmPaths(stateDir, instanceId).vncSocket));

  async function throughput(session: Awaited<ReturnType<typeof direct>>): Promise<number> {
    const full = { x: 0, y: 0, w: session.width, h: session.height };
    const t0 = performance.now();
    let bytes = 0;
    while (performance.now() - t0 < SECONDS * 1000) bytes += await requestUpdate(session, full);
    return bytes / ((performance.now() - t0) / 1000);
  }
  async function roundTrips(session: Awaited<ReturnType<typeof direct>>): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < PINGS; i++) {
      const t0 = performance.now();
      await requestUpdate(session, { x: 0, y: 0, w: 1, h: 1 });
      times.push(performance.now() - t0);
    }
    return times;
  }

  out("eduCloud console benchmark (bench/console.ts)");
  out("  (a) direct: an RFB client on the VM's VNC unix socket");
  out(
    "  (b) browser path: the same client over WebSocket → portal console proxy (ticket, access check, grant) → agent bridge → the same socket",
  );
  out(
    `  throughput: full-screen raw-encoded framebuffer updates back to back for ${SECONDS} s, a then b, three rounds; median of rounds`,
  );
  out(`  latency: ${PINGS} round trips of a 1×1 framebuffer update request each; p50`);
  out(`Machine: ${os.cpus().length} CPUs, QEMU under TCG, ${VMS} test VMs (64 MiB); all traffic on loopback`);

  const user = await f.makeUser(s, "superAdm");
  const a = await direct(vmIds[0]!);
  const b = await viaProxy(user, vmIds[0]!);
  out(`Screen ${a.width}×${a.height}, ${a.bytesPerPixel * 8} bpp`);
  const tpA: number[] = [],
    tpB: number[] = [];
  for (let round = 0; round < 3; round++) {
    tpA.push(await throughput(a));
    tpB.push(await throughput(b));
  }
  const rttA = summarise(await roundTrips(a)),
    rttB = summarise(await roundTrips(b));
  a.stream.close();
  b.stream.close();
  const med = (v: number[]) => [...v].sort((x, y) => x - y)[1]!;
  const mb = (v: number) => `${(v / 1e6).toFixed(1)} MB/s`;
  out();
  out(
    `(a) direct        throughput ${mb(med(tpA))}   round trip p50 ${rttA.p50.toFixed(2)} ms  p95 ${rttA.p95.toFixed(2)} ms`,
  );
  out(
    `(b) through proxy throughput ${mb(med(tpB))}   round trip p50 ${rttB.p50.toFixed(2)} ms  p95 ${rttB.p95.toFixed(2)} ms`,
  );
  out(`goals: throughput ratio ≥ 0.8, added latency p50 ≤ 2 ms`);
  out(`console_throughput_ratio=${(med(tpB) / med(tpA)).toFixed(2)}`);
  out(`console_added_latency_ms_p50=${(rttB.p50 - rttA.p50).toFixed(2)}`);

  // 50 people open a console at once (different users: 4 is the per-user cap), spread over the VMs.
  out();
  out(`== ${SESSIONS} concurrent console sessions on one portal process ==`);
  const people = await Promise.all(Array.from({ length: SESSIONS }, () => f.makeUser(s, "superAdm")));
  const t0 = performance.now();
  const results = await Promise.allSettled(
    people.map(async (p, i) => {
      const session = await viaProxy(p, vmIds[i % VMS]!);
      let timer: NodeJS.Timeout | undefined;
      try {
        const bytes = await Promise.race([
          requestUpdate(session, { x: 0, y: 0, w: session.width, h: session.height }),
          new Promise<number>((_r, j) => {
            timer = setTimeout(() => j(new Error("no frame within 30 s")), 30_000);
          }),
        ]);
        return { session, bytes };
      } finally {
        clearTimeout(timer); // else 50 pending timers hold the process for 30 s after the figures
      }
    }),
  );
  const ok = results.filter((r) => r.status === "fulfilled" && r.value.bytes > 0);
  out(
    `opened and received a full frame: ${ok.length} of ${SESSIONS} in ${((performance.now() - t0) / 1000).toFixed(1)} s; portal sessions open: ${proxy.openSessions()}`,
  );
  for (const r of results)
    if (r.status === "rejected") note(`a session failed: ${(r.reason as Error).message}`);
  for (const r of results) if (r.status === "fulfilled") r.value.session.stream.close();
  out(`goal: ${SESSIONS}`);
  out(`console_sessions_ok=${ok.length}`);
} catch (err) {
  note(`bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
  note("cleaned up");
  expectExit(note);
}
