// What the console proxy refuses, and that a refused connection proxies nothing: the agent side here is
// a loopback WebSocket server that checks grants like an agent and counts who reached it.
import { createServer, type Server } from "node:http";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { importVerifyKey, verifyConsoleGrant } from "@/agents/protocol/console-grant";
import { hosts, memberships, users } from "@/db/schema";
import { createConsoleTicket } from "@/server/domain/consoles/console-tickets";
import {
  contextFor,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  testSettings,
  type TestServices,
} from "@/server/testing/fixtures";
import { consoleVerifyKeyOf, deriveConsoleSigningKey } from "./console-key";
import { createConsoleProxy, isUserActivity } from "./console-proxy";

const SECRET = "console-proxy-test-secret-console-proxy-test-secret";
let s: TestServices;
let portal: Server;
let portalUrl: string;
let agentSide: WebSocketServer;
let agentConnections = 0;
let hostId: string;
let ids: { flavorId: number; imageId: string };

function makeProxy(over: { idleTimeoutMs?: number; maxPerUser?: number } = {}) {
  return createConsoleProxy({
    db: s.db,
    redis: s.redis,
    redisPrefix: s.prefix,
    hostDownAfterSeconds: 30,
    signingKey: deriveConsoleSigningKey(SECRET),
    ticketKey: testSettings().consoleTicketKey,
    allowedOrigins: [],
    idleTimeoutMs: over.idleTimeoutMs ?? 60_000,
    maxPerUser: over.maxPerUser ?? 4,
    maxPerProcess: 50,
    log: pino({ level: "silent" }),
  });
}
let proxy = null as unknown as ReturnType<typeof makeProxy>;

beforeAll(async () => {
  s = openTestServices();
  // Agent side: verifies the grant with the portal's public key, then echoes bytes back.
  const verifyKey = importVerifyKey(consoleVerifyKeyOf(SECRET));
  agentSide = new WebSocketServer({
    port: 0,
    host: "127.0.0.1",
    handleProtocols: () => "binary",
    verifyClient: (info: { req: { url?: string } }) => {
      const grant = new URL(info.req.url ?? "/", "http://a").searchParams.get("grant") ?? "";
      return verifyConsoleGrant(grant, verifyKey, { hostId }).ok;
    },
  });
  agentSide.on("connection", (ws) => {
    agentConnections++;
    ws.on("message", (d) => ws.send(d, { binary: true }));
  });
  await new Promise((r) => agentSide.once("listening", r));
  hostId = await makeHost(s);
  const port = (agentSide.address() as { port: number }).port;
  await s.db
    .update(hosts)
    .set({ consoleUrl: `ws://127.0.0.1:${port}` })
    .where(eq(hosts.id, hostId));
  ids = { flavorId: await makeFlavor(s), imageId: await makeImageRow(s) };

  proxy = makeProxy();
  portal = createServer((_q, r) => r.writeHead(404).end());
  portal.on("upgrade", (req, socket, head) => proxy.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => portal.listen(0, "127.0.0.1", () => r()));
  portalUrl = `http://127.0.0.1:${(portal.address() as { port: number }).port}`;
});
afterAll(async () => {
  portal?.close();
  agentSide?.close();
  await s.close();
});

const vmOf = (ownerId: number, groupId: number | null = null) =>
  makeInstanceRow(s, { ownerId, groupId, hostId, ...ids, state: "RUNNING" });

interface Attempt {
  status?: number;
  message?: string;
  ws?: WebSocket;
}
function connect(path: string, ticket: string, origin: string | null = portalUrl): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(
      `${portalUrl.replace("http", "ws")}${path}?ticket=${encodeURIComponent(ticket)}`,
      ["binary"],
      origin ? { origin } : {},
    );
    ws.once("open", () => resolve({ ws }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c));
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          message: (JSON.parse(body || "{}") as { message?: string }).message,
        }),
      );
    });
    ws.once("error", () => resolve({ status: -1 }));
  });
}

async function ticketFor(
  user: Awaited<ReturnType<typeof makeUser>>,
  instanceId: string,
  kind: "vnc" | "serial" = "vnc",
  ttlMs?: number,
) {
  return createConsoleTicket(contextFor(s, user), { instanceId, kind }, { ttlMs });
}

describe("console proxy", () => {
  it("a valid ticket from the portal's own page connects, and bytes cross both ways", async () => {
    const u = await makeUser(s, "user");
    const t = await ticketFor(u, await vmOf(u.id));
    const before = agentConnections;
    const a = await connect(t.path, t.ticket);
    expect(a.ws).toBeDefined();
    const echoed = new Promise<Buffer>((r) => a.ws!.once("message", (d) => r(d as Buffer)));
    a.ws!.send(Buffer.from("hello through the proxy"));
    expect((await echoed).toString()).toBe("hello through the proxy");
    expect(agentConnections).toBe(before + 1);
    a.ws!.close();
  });

  it("refuses a replayed ticket, an expired one, one for another instance or kind — and proxies nothing", async () => {
    const u = await makeUser(s, "user");
    const vm = await vmOf(u.id);
    const used = await ticketFor(u, vm);
    (await connect(used.path, used.ticket)).ws!.close();
    const before = agentConnections;

    expect(await connect(used.path, used.ticket)).toMatchObject({
      status: 401,
      message: expect.stringMatching(/used already|expired/),
    });
    const expired = await ticketFor(u, vm, "vnc", 100);
    await new Promise((r) => setTimeout(r, 250));
    expect((await connect(expired.path, expired.ticket)).status).toBe(401);
    const other = await ticketFor(u, await vmOf(u.id));
    expect((await connect(`/console/vnc/${vm}`, other.ticket)).status).toBe(401); // someone's ticket, another instance
    const vncTicket = await ticketFor(u, vm);
    expect((await connect(`/console/serial/${vm}`, vncTicket.ticket)).status).toBe(401);
    expect((await connect(`/console/vnc/${vm}`, "x".repeat(43))).status).toBe(401);
    expect(agentConnections).toBe(before);
  });

  it("refuses a missing or foreign Origin before looking at the ticket", async () => {
    const u = await makeUser(s, "user");
    const t = await ticketFor(u, await vmOf(u.id));
    const before = agentConnections;
    expect((await connect(t.path, t.ticket, null)).status).toBe(403);
    expect((await connect(t.path, t.ticket, "https://evil.example")).status).toBe(403);
    // The ticket was not spent by those refusals: the real page can still use it.
    const ok = await connect(t.path, t.ticket);
    expect(ok.ws).toBeDefined();
    ok.ws!.close();
    expect(agentConnections).toBe(before + 1);
  });

  it("refuses a user whose access was revoked between ticket and connect", async () => {
    const g = await makeGroup(s);
    const owner = await makeUser(s, "user", [g]);
    const admin = await makeUser(s, "powerAdm", [g]);
    const vm = await vmOf(owner.id, g);
    const before = agentConnections;

    const disabledUsersTicket = await ticketFor(owner, vm);
    await s.db.update(users).set({ disabled: true }).where(eq(users.id, owner.id));
    expect(await connect(disabledUsersTicket.path, disabledUsersTicket.ticket)).toMatchObject({
      status: 403,
      message: "You may no longer open this console.",
    });

    const adminsTicket = await ticketFor(admin, vm);
    await s.db.delete(memberships).where(eq(memberships.userId, admin.id)); // moved out of the group
    expect((await connect(adminsTicket.path, adminsTicket.ticket)).status).toBe(403);
    expect(agentConnections).toBe(before);
  });

  it("caps concurrent consoles per user with a clear message", async () => {
    const capped = makeProxy({ maxPerUser: 1 });
    const server = createServer();
    server.on("upgrade", (req, socket, head) => capped.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const open = (path: string, ticket: string) =>
      new Promise<Attempt>((resolve) => {
        const ws = new WebSocket(`${base.replace("http", "ws")}${path}?ticket=${ticket}`, ["binary"], {
          origin: base,
        });
        ws.once("open", () => resolve({ ws }));
        ws.once("unexpected-response", (_q, res) => resolve({ status: res.statusCode }));
      });
    const u = await makeUser(s, "user");
    const first = await ticketFor(u, await vmOf(u.id));
    const second = await ticketFor(u, await vmOf(u.id));
    const a = await open(first.path, first.ticket);
    expect(a.ws).toBeDefined();
    expect((await open(second.path, second.ticket)).status).toBe(429);
    a.ws!.close();
    server.close();
  });

  it("closes an idle console with the reason", async () => {
    const idle = makeProxy({ idleTimeoutMs: 1200 });
    const server = createServer();
    server.on("upgrade", (req, socket, head) => idle.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const u = await makeUser(s, "user");
    const t = await ticketFor(u, await vmOf(u.id), "serial");
    const ws = new WebSocket(`${base.replace("http", "ws")}${t.path}?ticket=${t.ticket}`, ["binary"], {
      origin: base,
    });
    const closed = await new Promise<{ code: number; reason: string }>((r) =>
      ws.once("close", (code, reason) => r({ code, reason: reason.toString() })),
    );
    expect(closed.code).toBe(4000);
    expect(closed.reason).toMatch(/without activity/);
    server.close();
  }, 15_000);
});

describe("isUserActivity", () => {
  it("counts keys and pointer events but not noVNC's framebuffer update requests", () => {
    const fbur = Buffer.from([3, 1, 0, 0, 0, 0, 4, 0, 3, 0]);
    expect(isUserActivity("vnc", fbur)).toBe(false);
    expect(isUserActivity("vnc", Buffer.concat([fbur, fbur]))).toBe(false);
    expect(isUserActivity("vnc", Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x61]))).toBe(true);
    expect(isUserActivity("serial", Buffer.from("a"))).toBe(true);
  });
});

void randomUUID;
