// The agent's console bridge (browser → portal proxy → here → the VM's VNC or serial console, wherever
// its driver serves it). Every connection carries a grant the portal signed for this host, one
// instance and one console kind; the agent holds only the portal's public key. See README.md for the
// listen address.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { KeyObject } from "node:crypto";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { verifyConsoleGrant, type ConsoleGrant, type ConsoleKind } from "../../protocol/console-grant";
import { AGENT_CONSOLE_PATH, AGENT_THUMBNAIL_PATH } from "../../protocol/index";
import type { ConsoleEndpoint } from "../drivers/hypervisor-driver";
import { bridgeSocket, type Bridge, type BridgeOptions } from "./bridge-socket";
import { formatWsUrl, type ListenAddress } from "./listen-address";
import { NonceCache } from "./nonce-cache";
import { refuseRequest, refuseUpgrade, type RefusalCode } from "./refusals";

/** Where a VM's console is: the driver that has the VM knows (DriverRegistry, or one driver). */
export interface ConsoleEndpoints {
  /** Null when there is no such VM on this host. */
  consoleEndpoint(instanceId: string, kind: ConsoleKind): Promise<ConsoleEndpoint | null>;
  /**
   * A PNG of the VM's screen, null when there is no such VM or it is not running; absent when no
   * driver can take one (thumbnails are then 404).
   */
  screenshot?(instanceId: string): Promise<Buffer | null>;
}

/** A stream console's grant (the thumbnail endpoint's grants never open one). */
type StreamGrant = ConsoleGrant & { kind: ConsoleKind };

export interface ConsoleServerOptions {
  hostId: string;
  consoles: ConsoleEndpoints;
  /** The portal's verify key, or null while it is not known yet (consoles are refused with 503). */
  getVerifyKey: () => KeyObject | null;
  listen: ListenAddress;
  /** All consoles at once on this host; default 200. */
  maxSessions?: number;
  log: Logger;
  bridge?: BridgeOptions;
}

export type SessionCounts = { vnc: number; serial: number };

export interface ConsoleServer {
  /** Where it actually listens, e.g. ws://127.0.0.1:40123 (port 0 resolved). */
  url: string;
  listening: ListenAddress;
  activeSessions(): Map<string, SessionCounts>;
  close(): Promise<void>;
}

/** Grants live seconds; a far-off expiry would keep its nonce in memory for as long, so it is refused. */
const MAX_GRANT_LIFETIME_MS = 5 * 60_000;
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * A serial line has one reader: a second client would steal half of each answer (QEMU's serial
 * socket, for one, leaves a second client hanging without a word). A screen is shared between viewers.
 */
const MAX_PER_INSTANCE: Record<ConsoleKind, number> = { vnc: 16, serial: 1 };

export async function startConsoleServer(opts: ConsoleServerOptions): Promise<ConsoleServer> {
  const maxSessions = opts.maxSessions ?? 200;
  const nonces = new NonceCache();
  const counts = new Map<string, SessionCounts>();
  const live = new Set<Bridge>();
  let total = 0;
  let closing = false;

  // Slots are taken synchronously while the upgrade is checked, before any await: two viewers racing
  // for the serial console cannot both pass the check.
  const reserve = (id: string, kind: ConsoleKind): RefusalCode | (() => void) => {
    const c = counts.get(id) ?? { vnc: 0, serial: 0 };
    if (c[kind] >= MAX_PER_INSTANCE[kind]) return kind === "serial" ? "serial-busy" : "vnc-busy";
    if (total >= maxSessions) return "too-many";
    c[kind]++;
    total++;
    counts.set(id, c);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      c[kind]--;
      total--;
      if (c.vnc + c.serial === 0) counts.delete(id);
    };
  };

  /**
   * The one grant check for both endpoints: signature, shape, expiry, host, lifetime, the kind the
   * endpoint serves (console: vnc/serial; thumbnail: thumbnail), and single use — in that order, so a
   * grant refused for its kind is not spent.
   */
  const check = (
    req: IncomingMessage,
    endpoint: "console" | "thumbnail",
  ): { grant: ConsoleGrant } | { refusal: RefusalCode } => {
    const url = new URL(req.url ?? "/", "http://agent");
    const key = opts.getVerifyKey();
    if (!key) return { refusal: "no-key" };
    const now = Date.now();
    const result = verifyConsoleGrant(url.searchParams.get("grant") ?? "", key, { hostId: opts.hostId, now });
    if (!result.ok)
      return {
        refusal:
          result.reason === "expired"
            ? "expired"
            : result.reason === "wrong-host"
              ? "wrong-host"
              : "bad-grant",
      };
    if (result.grant.exp - now > MAX_GRANT_LIFETIME_MS) return { refusal: "bad-grant" };
    if ((result.grant.kind === "thumbnail") !== (endpoint === "thumbnail")) return { refusal: "wrong-kind" };
    const claimed = nonces.claim(result.grant.nonce, result.grant.exp);
    if (claimed !== "ok") return { refusal: claimed === "replayed" ? "replayed" : "too-many" };
    return { grant: result.grant };
  };

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 8 * 1024 * 1024,
    // noVNC asks for "binary"; a client asking for nothing gets nothing.
    handleProtocols: (offered) => (offered.has("binary") ? "binary" : false),
  });

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://agent").pathname;
    if (path === AGENT_THUMBNAIL_PATH && (req.method === "GET" || req.method === "HEAD"))
      return void serveThumbnail(req, res);
    if (path !== AGENT_CONSOLE_PATH) return refuseRequest(res, "not-found");
    res
      .writeHead(426, { "content-type": "text/plain; charset=utf-8", connection: "close" })
      .end("WebSocket only\n");
  });

  // One PNG of the VM's screen for a thumbnail grant; never logs the URL (it carries the grant).
  const serveThumbnail = async (req: IncomingMessage, res: ServerResponse) => {
    const remote = req.socket.remoteAddress;
    const checked = check(req, "thumbnail");
    if ("refusal" in checked) {
      opts.log.warn({ refusal: checked.refusal, remote }, "thumbnail refused");
      return refuseRequest(res, checked.refusal);
    }
    const { grant } = checked;
    try {
      // As for consoles: no such VM here is no-instance, a VM that is not running is not-running.
      if (!(await opts.consoles.consoleEndpoint(grant.instanceId, "vnc")))
        return refuseRequest(res, "no-instance");
      const png = opts.consoles.screenshot ? await opts.consoles.screenshot(grant.instanceId) : null;
      if (!png) return refuseRequest(res, "not-running");
      res
        .writeHead(200, {
          "content-type": "image/png",
          "content-length": png.length,
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
        })
        .end(req.method === "HEAD" ? undefined : png);
    } catch (err) {
      opts.log.error({ err: (err as Error).message, instanceId: grant.instanceId }, "thumbnail failed");
      if (!res.headersSent) refuseRequest(res, "not-running");
      else res.destroy();
    }
  };

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const remote = req.socket.remoteAddress;
    socket.on("error", () => socket.destroy());
    // Never log req.url: it carries the grant.
    const refuse = (refusal: RefusalCode, g?: ConsoleGrant) => {
      opts.log.warn({ refusal, instanceId: g?.instanceId, kind: g?.kind, remote }, "console refused");
      refuseUpgrade(socket, refusal);
    };
    if (new URL(req.url ?? "/", "http://agent").pathname !== AGENT_CONSOLE_PATH) return refuse("not-found");
    const checked = check(req, "console");
    if ("refusal" in checked) return refuse(checked.refusal);
    const grant = checked.grant as StreamGrant; // check() let only vnc and serial through here
    const reserved = reserve(grant.instanceId, grant.kind);
    if (typeof reserved === "string") return refuse(reserved, grant);
    const release = reserved;

    void openVmSocket(opts.consoles, grant)
      .then((vm) => {
        if (typeof vm === "string" || closing) {
          if (typeof vm !== "string") vm.destroy();
          release();
          return refuse(typeof vm === "string" ? vm : "stopping", grant);
        }
        // handleUpgrade may reject a bad handshake without calling back; the socket then just closes.
        const abandoned = () => {
          vm.destroy();
          release();
        };
        socket.once("close", abandoned);
        if (socket.destroyed) return abandoned();
        wss.handleUpgrade(req, socket, head, (ws) => {
          socket.off("close", abandoned);
          const started = Date.now();
          const session = bridgeSocket(ws, vm, opts.bridge);
          live.add(session);
          opts.log.info(
            { instanceId: grant.instanceId, kind: grant.kind, remote, sessions: total },
            "console connected",
          );
          void session.done.then((stats) => {
            live.delete(session);
            release();
            opts.log.info(
              { instanceId: grant.instanceId, kind: grant.kind, durationMs: Date.now() - started, ...stats },
              "console disconnected",
            );
          });
        });
      })
      .catch((err: unknown) => {
        // Not expected; whatever it was, this connection must not keep its slot or its socket.
        opts.log.error(
          { err: (err as Error).message, instanceId: grant.instanceId, kind: grant.kind },
          "console bridge failed",
        );
        release();
        socket.destroy();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.listen.port, opts.listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const listening = { host: address.address, port: address.port };

  return {
    url: formatWsUrl(listening.host, listening.port),
    listening,
    activeSessions: () => new Map([...counts].map(([id, c]) => [id, { ...c }])),
    async close() {
      closing = true;
      const stopped = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      const sessions = [...live];
      for (const s of sessions) s.end(1001, "the host agent is stopping");
      await Promise.all(sessions.map((s) => s.done));
      wss.close();
      await stopped;
    },
  };
}

/** Connects to the VM's console before the handshake completes, so a stopped VM is an HTTP 404. */
async function openVmSocket(consoles: ConsoleEndpoints, grant: StreamGrant): Promise<Socket | RefusalCode> {
  const endpoint = await consoles.consoleEndpoint(grant.instanceId, grant.kind);
  if (!endpoint) return "no-instance";
  return new Promise((resolve) => {
    const vm = connect(endpoint);
    const timer = setTimeout(() => vm.destroy(new Error("timeout")), CONNECT_TIMEOUT_MS);
    // ENOENT or ECONNREFUSED: nothing serves the console, i.e. the VM is not running (or its
    // hypervisor died and left a socket behind).
    // Stays attached (a no-op once resolved) so a later error before the bridge takes over cannot crash the agent.
    vm.on("error", () => {
      clearTimeout(timer);
      resolve("not-running");
    });
    vm.once("connect", () => {
      clearTimeout(timer);
      resolve(vm);
    });
  });
}
