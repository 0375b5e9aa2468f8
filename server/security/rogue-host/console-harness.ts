// What the rogue-host console tests share: the portal's real console proxy on loopback, "agents" that
// check grants like the real bridge and count who reached them, and a browser that reports what it read.
import { createServer, type Server } from "node:http";
import { connect as connectTcp, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { eq } from "drizzle-orm";
import pino from "pino";
import { WebSocket, WebSocketServer } from "ws";
import { importVerifyKey, verifyConsoleGrant } from "@/agents/protocol/console-grant";
import { hosts } from "@/db/schema";
import { consoleVerifyKeyOf, deriveConsoleSigningKey } from "@/server/console/console-key";
import { createConsoleProxy } from "@/server/console/console-proxy";
import { testSettings, type TestServices } from "@/server/testing/fixtures";

export const PORTAL_SECRET = "rogue-host-console-secret-rogue-host-console-secret";

/** A console bridge that accepts only grants the portal signed for `hostId`, and echoes bytes. */
export async function startFakeAgent(hostId: () => string) {
  const verifyKey = importVerifyKey(consoleVerifyKeyOf(PORTAL_SECRET));
  const wss = new WebSocketServer({
    port: 0,
    host: "127.0.0.1",
    handleProtocols: () => "binary",
    verifyClient: (info: { req: { url?: string } }) => {
      const grant = new URL(info.req.url ?? "/", "http://a").searchParams.get("grant") ?? "";
      return verifyConsoleGrant(grant, verifyKey, { hostId: hostId() }).ok;
    },
  });
  const agent = { connections: 0, url: "", close: () => new Promise((r) => wss.close(r)) };
  wss.on("connection", (ws) => {
    agent.connections++;
    ws.on("message", (d) => ws.send(d, { binary: true }));
  });
  await new Promise((r) => wss.once("listening", r));
  agent.url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  return agent;
}

/** Something at an address that is not an agent: answers every request with a body of its own. */
export async function startPlainHttp(answer: {
  status: number;
  body: string;
  headers?: Record<string, string>;
}): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const out = { url: "", requests: 0, close: () => new Promise<void>((r) => server.close(() => r())) };
  const server: Server = createServer((_req, res) => {
    out.requests++;
    res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers }).end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  out.url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  return out;
}

/** Accepts TCP connections and never says a word (a host that hangs the handshake). */
export async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<import("node:net").Socket>();
  const server: TcpServer = createTcpServer((s) => {
    sockets.add(s);
    s.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export async function startPortal(s: TestServices, over: { maxPerUser?: number } = {}) {
  const proxy = createConsoleProxy({
    db: s.db,
    redis: s.redis,
    redisPrefix: s.prefix,
    hostDownAfterSeconds: 30,
    signingKey: deriveConsoleSigningKey(PORTAL_SECRET),
    ticketKey: testSettings().consoleTicketKey,
    allowedOrigins: [],
    idleTimeoutMs: 60_000,
    maxPerUser: over.maxPerUser ?? 4,
    maxPerProcess: 50,
    log: pino({ level: "silent" }),
  });
  const server = createServer((_q, r) => r.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => proxy.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    proxy,
    close: () => new Promise<void>((r) => server.close(() => r())),
    /** A browser on the portal's own page: opened, or the status and the whole body it was answered with. */
    open(path: string, ticket: string): Promise<{ ws?: WebSocket; status?: number; body?: string }> {
      return new Promise((resolve) => {
        const ws = new WebSocket(
          `${url.replace("http", "ws")}${path}?ticket=${encodeURIComponent(ticket)}`,
          ["binary"],
          { origin: url },
        );
        ws.once("open", () => resolve({ ws }));
        ws.once("unexpected-response", (_req, res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString("utf8")));
          res.on("end", () => resolve({ status: res.statusCode, body }));
        });
        ws.once("error", () => resolve({ status: -1 }));
      });
    },
    /** A browser that sends the upgrade request and hangs up before any answer. */
    async hangUp(path: string, ticket: string, afterMs: number): Promise<void> {
      const sock = connectTcp(Number(new URL(url).port), "127.0.0.1");
      sock.on("error", () => undefined);
      await new Promise((r) => sock.once("connect", r));
      sock.write(
        `GET ${path}?ticket=${encodeURIComponent(ticket)} HTTP/1.1\r\nHost: ${new URL(url).host}\r\n` +
          `Origin: ${url}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Key: ${Buffer.alloc(16, 7).toString("base64")}\r\nSec-WebSocket-Protocol: binary\r\n\r\n`,
      );
      await new Promise((r) => setTimeout(r, afterMs));
      sock.destroy();
    },
  };
}

/** Pins a host's console address as the database holds it (what join or an admin would have set). */
export async function pinConsole(s: TestServices, hostId: string, consoleUrl: string | null): Promise<void> {
  await s.db.update(hosts).set({ consoleUrl }).where(eq(hosts.id, hostId));
}

/** Sends bytes through an open console and returns what came back. */
export async function echo(ws: WebSocket, text: string): Promise<string> {
  const back = new Promise<Buffer>((r) => ws.once("message", (d) => r(d as Buffer)));
  ws.send(Buffer.from(text));
  return (await back).toString();
}
