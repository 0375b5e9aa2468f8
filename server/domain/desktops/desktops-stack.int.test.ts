// Desktops on the real stack (issue 13's "Must show"): the portal's domain through its routers, the pool
// controller looping as the background worker does, one agent as its own process driving QEMU (TCG)
// booting the test guest, MariaDB, Redis. One lab with one pool of a snapshot-mode (throw-away) profile,
// shared by the cases in order, as a lesson would use it. The guest's root is an initramfs, so a marker
// is written raw into its disk (/dev/vda at 64 MiB) and `sync`ed, and read back the same way.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOnGuest } from "@/agents/node-agent/network/testing/guest-shell";
import {
  BANNER,
  countOccurrences,
  readSerialLog,
  waitForSerialLog,
} from "@/agents/node-agent/drivers/qemu/testing/serial-log";

const storeDir = await mkdtemp(join(tmpdir(), "educloud-store-"));
process.env.IMAGE_STORE_DIR = storeDir; // read by the routes' settings, imported below

const { instances, tasks } = await import("@/db/schema");
const { startComputeStack } = await import("@/server/testing/compute-stack");
const { callerFor, makeGroup, makeUser, testSettings } = await import("@/server/testing/fixtures");
const { makeLab, makeProfile } = await import("@/server/testing/lab-fixtures");
const { serveRoute } = await import("@/server/testing/serve-route");
const { createHostJobPort } = await import("@/server/queue/host-jobs");
const { createQueueConnection } = await import("@/server/queue/redis");
const { controlPools } = await import("@/server/domain/pools/control-pools");
const { setPoolNudge } = await import("@/server/domain/pools/pool-nudge");
const imageRoute = await import("@/app/api/v1/agent/images/[id]/content/route");
const joinRoute = await import("@/app/api/v1/agent/join/route");
const captureRoute = await import("@/app/api/v1/agent/captures/[taskId]/route");

type Caller = ReturnType<typeof callerFor>;
type Row = typeof instances.$inferSelect;

const MARK_MIB = 64;
let stack: Awaited<ReturnType<typeof startComputeStack>>;
let closeExtras: () => Promise<void>;
let teacher: Caller;
let student: Caller[];
let studentIds: number[];
let labId: number;
let profileId: number;
let poolId: number;

const guest = (id: string) => ({
  serialSocket: join(stack.runDir(id), "run", "serial.sock"),
  serialLog: join(stack.runDir(id), "serial.log"),
});
const banners = async (id: string) => countOccurrences(await readSerialLog(guest(id).serialLog), BANNER);
/** Until the guest has booted `n` times in all (the serial log is appended to across starts). */
async function booted(id: string, n: number): Promise<void> {
  await waitForSerialLog(guest(id).serialLog, (log) => countOccurrences(log, BANNER) >= n, 120_000);
  await new Promise((r) => setTimeout(r, 1000)); // the serial shell starts right after the banner
}
async function writeMarker(id: string): Promise<string> {
  const marker = `MARK-${randomBytes(4).toString("hex")}`;
  const r = await runOnGuest(
    guest(id),
    `echo ${marker} | dd of=/dev/vda bs=1M seek=${MARK_MIB} conv=notrunc 2>/dev/null && sync`,
  );
  expect(r.code).toBe(0);
  return marker;
}
async function readMarker(id: string): Promise<string> {
  const r = await runOnGuest(
    guest(id),
    `dd if=/dev/vda bs=1M skip=${MARK_MIB} count=1 2>/dev/null | head -c 64 | tr -dc 'A-Za-z0-9-'; echo`,
  );
  return r.lines.join("");
}
const row = async (id: string): Promise<Row> =>
  (await stack.s.db.select().from(instances).where(eq(instances.id, id)))[0]!;
const poolRows = () => stack.s.db.select().from(instances).where(eq(instances.poolId, poolId));
async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 120_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
/** A running spare desktop of the pool (booted), other than `not`. */
const spareRunning = (not: string[] = []) =>
  until("a running spare desktop", async () =>
    (await poolRows()).find(
      (d) => d.state === "RUNNING" && !d.task && d.assignedTo === null && !not.includes(d.id),
    ),
  );
/**
 * Waits for the desktop to be RUNNING again after a reset or start, watching every row it passes
 * through: it must never look died (STOPPED with no task) nor be taken away meanwhile (2 iii).
 */
async function settledAfterPowerCycle(id: string): Promise<Row> {
  const seen: string[] = [];
  const r = await until("RUNNING after the power cycle", async () => {
    const d = await row(id);
    seen.push(`${d.state}/${d.task ?? "-"}`);
    if (d.state === "ERROR") throw new Error(`went to ERROR: ${d.errorReason}`);
    return d.state === "RUNNING" && !d.task ? d : undefined;
  });
  expect(seen.filter((x) => x === "STOPPED/-" || x.startsWith("DELETING"))).toEqual([]);
  return r;
}
async function sha256(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}
async function basePathOf(id: string): Promise<string> {
  const spec = await stack.driver.readSpec(id);
  return spec!.baseImagePath;
}
async function qemuPid(id: string): Promise<number> {
  return Number((await readFile(join(stack.runDir(id), "run", "qemu.pid"), "utf8")).trim());
}

beforeAll(async () => {
  stack = await startComputeStack({
    storeDir,
    imageRoute: imageRoute.GET as never,
    joinRoute: joinRoute.POST,
    captureRoute: captureRoute.PUT as never,
  });
  const { s } = stack;
  const images = await serveRoute("/api/v1/agent/images/:id/content", imageRoute.GET as never);
  const conn = createQueueConnection(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const jobs = createHostJobPort(conn, s.prefix);
  const settings = testSettings({ portalUrl: images.url });

  // The portal's background worker: the pool controller on a tick and on every nudge, one pass at a time.
  let running: Promise<unknown> | null = null;
  let again = false;
  let stopped = false;
  const pass = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = controlPools({ db: s.db, jobs, settings, hostPowerOps: 4, poolIds: poolId ? [poolId] : [] })
      .catch(() => undefined)
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          pass();
        }
      });
  };
  setPoolNudge(pass);
  const tick = setInterval(pass, 500);
  closeExtras = async () => {
    stopped = true;
    clearInterval(tick);
    setPoolNudge(null);
    await running;
    await jobs.close();
    conn.disconnect();
    await images.close();
  };

  const groupId = await makeGroup(s);
  const teacherActor = await makeUser(s, "powerAdm", [groupId]);
  const students = await Promise.all([1, 2, 3].map(() => makeUser(s, "user", [groupId])));
  const as = (a: typeof teacherActor) => callerFor(s, a, undefined, { jobs, settings });
  teacher = as(teacherActor);
  student = students.map(as);
  studentIds = students.map((x) => x.id);
  ({ profileId } = await makeProfile(s, {
    groupId,
    flavorId: stack.flavorId,
    imageId: stack.imageId,
    throwaway: true,
  }));
  labId = await makeLab(s, { groupId, seats: 4, profileIds: [profileId] });
  // Two desktops at most, one kept spare.
  poolId = (await teacher.pools.create({ labId, profileId, size: 2, spare: 1 })).id;
  await teacher.pools.start({ id: poolId });
}, 300_000);

afterAll(async () => {
  // The pool goes (rows and all), so no later file's controller pass finds it in the shared database.
  if (poolId) await teacher.pools.delete({ id: poolId }).catch(() => undefined);
  await closeExtras?.();
  await stack?.stop();
  await rm(storeDir, { recursive: true, force: true });
}, 120_000);

describe("desktops on the real stack (one pool, in lesson order)", () => {
  let d1: string;
  let d2: string;
  let base: string;
  let baseSum: string;

  it("c: admin mode is refused while a desktop of the profile runs", async () => {
    d1 = (await spareRunning()).id;
    await booted(d1, 1);
    await expect(teacher.profiles.startAdminMode({ id: profileId })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await teacher.profiles.get({ id: profileId })).adminInstanceId).toBeNull();
  }, 180_000);

  it("a: a snapshot-mode desktop's writes are gone after reset and after stop/start; the base is untouched", async () => {
    const opened = await student[0]!.desktops.open({ labId });
    expect(opened).toMatchObject({ instanceId: d1, state: "RUNNING", made: false });
    base = await basePathOf(d1);
    baseSum = await sha256(base);

    const m1 = await writeMarker(d1);
    expect(await readMarker(d1)).toBe(m1); // the check can see a marker when there is one
    await student[0]!.desktops.reset({ instanceId: d1 });
    await settledAfterPowerCycle(d1);
    await booted(d1, 2);
    expect(await readMarker(d1)).not.toBe(m1);
    expect((await row(d1)).assignedTo).toBe(studentIds[0]); // a reset keeps the desktop the student's

    const m2 = await writeMarker(d1);
    await stack.caller.instances.stop({ id: d1 });
    await stack.waitForState(d1, "STOPPED", 60_000);
    // Stopped on purpose: the controller keeps it (a died one it replaces, case e).
    await new Promise((r) => setTimeout(r, 2000));
    expect(await row(d1)).toMatchObject({ state: "STOPPED", assignedTo: studentIds[0] });
    await stack.caller.instances.start({ id: d1 });
    await stack.waitForState(d1, "RUNNING", 60_000);
    await booted(d1, 3);
    expect(await readMarker(d1)).not.toBe(m2);

    expect(await basePathOf(d1)).toBe(base);
    expect(await sha256(base)).toBe(baseSum);
  }, 240_000);

  it("d: a released desktop is reset, spare again (RUNNING, unassigned) and handed to the next student", async () => {
    // The pool kept one spare meanwhile; the third student takes it, so the released one is the only spare.
    d2 = (await spareRunning([d1])).id;
    expect((await student[2]!.desktops.open({ labId })).instanceId).toBe(d2);
    await booted(d2, 1);

    const m = await writeMarker(d1);
    const before = await banners(d1);
    await student[0]!.desktops.release({ instanceId: d1 });
    expect(await row(d1)).toMatchObject({ assignedTo: null, task: "resetting" });
    // Not handed out while resetting (nothing else is spare: the second student waits for a new one or it).
    const after = await settledAfterPowerCycle(d1);
    expect(after).toMatchObject({ state: "RUNNING", assignedTo: null, profileVersion: 1 });
    await booted(d1, before + 1);
    expect(await readMarker(d1)).not.toBe(m);

    const next = await student[1]!.desktops.open({ labId });
    expect(next).toMatchObject({ instanceId: d1, state: "RUNNING", made: false });
    expect((await row(d1)).assignedTo).toBe(studentIds[1]);
  }, 240_000);

  it("e: a desktop whose QEMU dies is replaced by the controller, not handed out", async () => {
    // The second student's desktop dies; they release what is left of it (the page would show it dead).
    const pid = await qemuPid(d1);
    execFileSync("kill", ["-9", String(pid)]);
    const gone = await until("the died desktop taken away", async () => {
      const d = await row(d1);
      return d.state === "DELETED" || d.state === "DELETING" ? d : undefined;
    });
    expect(gone.assignedTo).toBeNull();
    // A new spare one replaces it; opening the lab again gives that one, never the died one.
    const fresh = await spareRunning([d1, d2]);
    const again = await student[1]!.desktops.open({ labId });
    expect(again.instanceId).toBe(fresh.id);
    expect(again.instanceId).not.toBe(d1);
    await stack.waitForState(d1, "DELETED", 60_000);
  }, 180_000);

  it("b/c: admin mode publishes v2 — desktops started afterwards have its marker, one on v1 only after its reset", async () => {
    // Shut the lab's desktops down first (the seed's rule): the pool stopped takes the spare and released
    // ones away; the third student's desktop (v1) is stopped, and kept for later.
    const stillOpen = (await poolRows()).find(
      (d) => d.assignedTo === studentIds[1] && d.state !== "DELETED" && d.state !== "DELETING",
    )!;
    await student[1]!.desktops.release({ instanceId: stillOpen.id });
    await teacher.pools.stop({ id: poolId });
    await stack.caller.instances.stop({ id: d2 });
    await stack.waitForState(d2, "STOPPED", 60_000);
    await until("only the stopped desktop left", async () =>
      (await poolRows()).every((d) => d.id === d2 || d.state === "DELETED"),
    );

    const started = await teacher.profiles.startAdminMode({ id: profileId });
    const adminId = started.adminInstanceId!;
    // c, the other way round: while admin mode runs no desktop of the profile starts.
    await teacher.pools.start({ id: poolId });
    await expect(student[0]!.desktops.open({ labId })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await poolRows()).filter((d) => d.id !== d2 && d.state !== "DELETED")).toEqual([]);

    await stack.waitForState(adminId, "RUNNING", 120_000);
    await booted(adminId, 1);
    const published = await writeMarker(adminId);
    const { taskId } = await teacher.profiles.publishAdminMode({ id: profileId, note: "marker" });
    await until(
      "publish capture",
      async () => {
        const [t] = await stack.s.db.select().from(tasks).where(eq(tasks.id, taskId));
        if (t?.state === "failed") throw new Error(`capture failed: ${t.error}`);
        return t?.state === "succeeded";
      },
      180_000,
    );
    expect((await teacher.profiles.get({ id: profileId })).currentVersion).toBe(2);

    // The pool (running) fills again, now from version 2: the new desktop has the marker.
    const v2 = await spareRunning([d2]);
    expect(v2.profileVersion).toBe(2);
    await booted(v2.id, 1);
    expect(await readMarker(v2.id)).toBe(published);

    // The third student's desktop still runs version 1 when started again, until its next reset.
    await stack.caller.instances.start({ id: d2 });
    await stack.waitForState(d2, "RUNNING", 60_000);
    await booted(d2, 2);
    const n = await banners(d2);
    expect((await row(d2)).profileVersion).toBe(1);
    expect(await readMarker(d2)).not.toBe(published);
    await student[2]!.desktops.reset({ instanceId: d2 });
    await settledAfterPowerCycle(d2);
    await booted(d2, n + 1);
    expect((await row(d2)).profileVersion).toBe(2);
    expect(await readMarker(d2)).toBe(published);
  }, 420_000);
});
