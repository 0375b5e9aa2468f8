// Issue 14's review: a console a kiosk had open outlived the terminal's revoke and the student's sign-out
// (the checks ran only when a ticket was used), and a student who walked away from a kiosk stayed signed
// in there for the kiosk session's 16 hours. Here a real console WebSocket goes through the real proxy to
// a loopback "agent"; the revoke, the sign-out and an idle time past the limit each close it within a few
// seconds, and the idle student's desktop is released as at sign-out. Input through the console keeps
// the student signed in.
import { createServer, type Server } from "node:http";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { importVerifyKey, verifyConsoleGrant } from "@/agents/protocol/console-grant";
import { hosts, instances, terminals } from "@/db/schema";
import { getServices } from "@/server/services";
import { signOutIdleKiosks } from "@/server/domain/terminals/kiosk-idle";
import { noteKioskActivity } from "@/server/domain/terminals/kiosk-sessions";
import {
  callerFor,
  makeHost,
  makeUser,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";
import { consoleVerifyKeyOf, deriveConsoleSigningKey } from "@/server/console/console-key";
import { createConsoleProxy } from "@/server/console/console-proxy";
import { makeLabWithPool, openKioskTerminal, type LabWithPool } from "./testing/kiosk-terminal";

const SECRET = "kiosk-console-ends-secret-kiosk-console-ends-secret";
let s: TestServices;
let superAdm: Awaited<ReturnType<typeof makeUser>>;
let lab: LabWithPool;
let agentSide: WebSocketServer;
let portal: Server;
let portalUrl: string;
let proxy: ReturnType<typeof createConsoleProxy>;
let hostId: string;
let mac = 0x60;

beforeAll(async () => {
  s = openTestServices();
  // The agent's side: checks the grant like an agent, then echoes.
  const verifyKey = importVerifyKey(consoleVerifyKeyOf(SECRET));
  agentSide = new WebSocketServer({
    port: 0,
    host: "127.0.0.1",
    handleProtocols: () => "binary",
    verifyClient: (info: { req: { url?: string } }) =>
      verifyConsoleGrant(
        new URL(info.req.url ?? "/", "http://a").searchParams.get("grant") ?? "",
        verifyKey,
        {
          hostId,
        },
      ).ok,
  });
  agentSide.on("connection", (ws) => ws.on("message", (d) => ws.send(d, { binary: true })));
  await new Promise((r) => agentSide.once("listening", r));
  hostId = await makeHost(s);
  await s.db
    .update(hosts)
    .set({
      consoleUrl: `ws://127.0.0.1:${(agentSide.address() as { port: number }).port}`,
      lastHeartbeatAt: new Date(Date.now() + 3600_000),
    })
    .where(eq(hosts.id, hostId));
  superAdm = await makeUser(s, "superAdm", []);
  lab = await makeLabWithPool(s, { hostId, ownerId: superAdm.id, size: 6 });

  const settings = getServices().settings;
  proxy = createConsoleProxy({
    db: s.db,
    redis: s.redis,
    redisPrefix: settings.redisPrefix,
    hostDownAfterSeconds: 30,
    signingKey: deriveConsoleSigningKey(SECRET),
    ticketKey: settings.consoleTicketKey,
    allowedOrigins: [],
    idleTimeoutMs: 600_000,
    maxPerUser: 4,
    maxPerProcess: 50,
    log: pino({ level: "silent" }),
    terminalRecheckMs: 250,
  });
  portal = createServer((_q, r) => r.writeHead(404).end());
  portal.on("upgrade", (req, socket, head) => proxy.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => portal.listen(0, "127.0.0.1", () => r()));
  portalUrl = `http://127.0.0.1:${(portal.address() as { port: number }).port}`;
});
afterAll(async () => {
  proxy?.close();
  portal?.close();
  agentSide?.close();
  await s?.close();
});

/** A kiosk with a student signed in, their desktop handed out, and its console open through the proxy. */
async function kioskWithOpenConsole() {
  await lab.desktop();
  const student = await makeUser(s, "user", [lab.groupId]);
  const kiosk = await openKioskTerminal(s, superAdm, {
    labId: lab.labId,
    mac: `02:00:00:00:00:${(mac++).toString(16)}`,
  });
  expect((await kiosk.signIn(student)).status).toBe(200);
  expect((await kiosk.desktop()).status).toBe(200);
  const issued = (await (await kiosk.ticket()).json()) as { ticket: string; path: string };
  const ws = new WebSocket(
    `${portalUrl.replace("http", "ws")}${issued.path}?ticket=${encodeURIComponent(issued.ticket)}`,
    ["binary"],
    { origin: portalUrl },
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_q, res) => reject(new Error(`console refused: ${res.statusCode}`)));
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((r) =>
    ws.once("close", (code, reason) => r({ code, reason: reason.toString(), at: Date.now() })),
  );
  // Bytes cross: the console is really open (a framebuffer update request: not the student's input).
  const echoed = new Promise<Buffer>((r) => ws.once("message", (d) => r(d as Buffer)));
  ws.send(Buffer.from([3, 1, 0, 0, 0, 0, 4, 0, 3, 0]));
  expect((await echoed).length).toBe(10);
  return { kiosk, student, ws, closed, desktopId: issued.path.split("/").pop()! };
}

/** Resolves with the close, or fails the test after `ms`. */
const closedWithin = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_r, reject) => setTimeout(() => reject(new Error("still open")), ms)),
  ]);

const prefix = () => getServices().settings.redisPrefix;
const idleMs = () => getServices().settings.kioskIdleSeconds * 1000;
const assignedTo = async (id: string) =>
  (await s.db.select().from(instances).where(eq(instances.id, id)))[0]!.assignedTo;

describe("a kiosk's open console ends with the kiosk", () => {
  it("closes within seconds when the terminal is revoked", async () => {
    const { kiosk, closed } = await kioskWithOpenConsole();
    const revokedAt = Date.now();
    await callerFor(s, superAdm).terminals.revoke({ id: kiosk.id });
    const c = await closedWithin(closed, 5000);
    expect(c.code).toBe(4001);
    expect(c.reason).toMatch(/session ended/);
    expect(c.at - revokedAt).toBeLessThan(5000);
  });

  it("closes within seconds when the student signs out at the kiosk", async () => {
    const { kiosk, closed, desktopId } = await kioskWithOpenConsole();
    expect((await kiosk.signOut()).status).toBe(200);
    expect((await closedWithin(closed, 5000)).code).toBe(4001);
    expect(await assignedTo(desktopId)).toBeNull();
  });

  it("closes within seconds when the student signs out everywhere, at the kiosk's next request", async () => {
    const { kiosk, student, closed, desktopId } = await kioskWithOpenConsole();
    await callerFor(s, student).account.signOutEverywhere();
    expect((await kiosk.state()).user).toBeNull(); // the page's 30 s beat
    expect((await closedWithin(closed, 5000)).code).toBe(4001);
    expect(await assignedTo(desktopId)).toBeNull();
  });
});

describe("a student idle at a kiosk", () => {
  it("is signed out by the housekeeping sweep: desktop released, console closed", async () => {
    const { kiosk, closed, desktopId, student } = await kioskWithOpenConsole();
    expect(await assignedTo(desktopId)).toBe(student.id);
    // Their last input was longer ago than the limit.
    await noteKioskActivity({ redis: s.redis, prefix: prefix() }, kiosk.id, Date.now() - idleMs() - 1000);
    const deps = { db: s.db, redis: s.redis, jobs: recordingJobs(), settings: getServices().settings };
    expect(await signOutIdleKiosks(deps)).toBeGreaterThanOrEqual(1);
    expect((await closedWithin(closed, 5000)).code).toBe(4001);
    expect(await assignedTo(desktopId)).toBeNull();
    const [t] = await s.db.select().from(terminals).where(eq(terminals.id, kiosk.id));
    expect(t!.signedInUserId).toBeNull();
    expect((await kiosk.state()).user).toBeNull();
  });

  it("is refused at the kiosk's next request, told why, and their desktop released", async () => {
    const { kiosk, closed, desktopId } = await kioskWithOpenConsole();
    await noteKioskActivity({ redis: s.redis, prefix: prefix() }, kiosk.id, Date.now() - idleMs() - 1000);
    const refused = await kiosk.ticket();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { serverMessage: { code: string } }).serverMessage.code).toBe(
      "kiosk.idleSignedOut",
    );
    expect(await assignedTo(desktopId)).toBeNull();
    expect((await closedWithin(closed, 5000)).code).toBe(4001);
  });

  it("is not idle while typing into the desktop's console", async () => {
    const { kiosk, ws, closed, student, desktopId } = await kioskWithOpenConsole();
    await noteKioskActivity({ redis: s.redis, prefix: prefix() }, kiosk.id, Date.now() - idleMs() - 1000);
    const echoed = new Promise((r) => ws.once("message", r));
    ws.send(Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x61])); // a key press, through the proxy
    await echoed;
    await new Promise((r) => setTimeout(r, 200)); // the proxy notes it without waiting
    const deps = { db: s.db, redis: s.redis, jobs: recordingJobs(), settings: getServices().settings };
    await signOutIdleKiosks(deps);
    const [t] = await s.db.select().from(terminals).where(eq(terminals.id, kiosk.id));
    expect(t!.signedInUserId).toBe(student.id);
    expect(await assignedTo(desktopId)).toBe(student.id);
    expect((await kiosk.state()).user).not.toBeNull();
    // And the console stays open through several re-checks.
    const early = await Promise.race([closed, new Promise((r) => setTimeout(() => r("open"), 1000))]);
    expect(early).toBe("open");
    ws.close();
  });
});
