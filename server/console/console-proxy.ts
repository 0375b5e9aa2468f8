// The browser's console WebSocket ends here: /console/<vnc|serial>/<instance>?ticket=…
// Nothing is proxied until the Origin, the single-use ticket and the user's access (as it is now) pass;
// then bytes flow browser ⇄ portal ⇄ agent ⇄ the VM's unix socket, with no port of the agent exposed
// to users.
import type { IncomingMessage } from "node:http";
import type { KeyObject } from "node:crypto";
import type { Duplex } from "node:stream";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { AGENT_CONSOLE_PATH, isConsoleUrl } from "@/agents/protocol";
import { signConsoleGrant, type ConsoleKind } from "@/agents/protocol/console-grant";
import type { Database } from "@/server/db/client";
import {
  authorizeConsole,
  findEndedTerminalConsoles,
  type ConsoleTarget,
} from "@/server/domain/consoles/authorize-console";
import { noteKioskActivity } from "@/server/domain/terminals/kiosk-sessions";
import { DomainError, type DomainErrorKind } from "@/server/domain/errors";
import { httpStatusText, toDomainFailure, toHttpError } from "@/server/http/errors";
import { msg, type Message } from "@/common/message";
import { renderEnglish } from "@/server/domain/render-english";

/**
 * A close reason the browser renders in its reader's language (code + params) with the English beside it;
 * plain English when the JSON would not fit the 123 bytes a WebSocket close reason may have.
 */
function closeReason(m: Message): string {
  const message = renderEnglish(m);
  const json = JSON.stringify({ code: m.code, params: m.params, message });
  return Buffer.byteLength(json) <= 123 ? json : message.slice(0, 120);
}

export interface ConsoleProxyOptions {
  db: Database;
  redis: Redis;
  redisPrefix: string;
  hostDownAfterSeconds: number;
  signingKey: KeyObject;
  /** Seals console tickets (deriveConsoleTicketKey): a ticket without its MAC is refused. */
  ticketKey: Buffer;
  /** Origins allowed besides the portal's own (the request's Host). */
  allowedOrigins: string[];
  idleTimeoutMs: number;
  maxPerUser: number;
  maxPerProcess: number;
  log: Logger;
  /**
   * How often the consoles opened with a terminal's ticket are checked against their terminal (revoked,
   * the student signed out, idle…): those it no longer shows are closed. Default 3 s.
   */
  terminalRecheckMs?: number;
}

/** How often a kiosk console's input is noted as the student's activity (kiosk-idle.ts), at most. */
const ACTIVITY_NOTE_MS = 15_000;

/** The host's refusals a user can act on (its X-Educloud-Console-Refusal code); anything else is "unavailable". */
const BUSY: Record<string, Message | undefined> = {
  "serial-busy": msg("consoles.serialBusy"),
  "vnc-busy": msg("consoles.screenBusy"),
};

const PATH = /^\/console\/(vnc|serial)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const HIGH_WATER = 8 * 1024 * 1024;

/** Answers the upgrade request with the status and JSON body every HTTP route gives (server/http/errors.ts). */
function refuseWith(socket: Duplex, err: unknown): void {
  const { status, body } = toHttpError(err);
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${httpStatusText(status)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

const refuse = (socket: Duplex, kind: DomainErrorKind, message: Message) =>
  refuseWith(socket, new DomainError(kind, message));

/** The agent's side failed: not the caller's fault, nor an outage of ours (502). */
function refuseBadGateway(socket: Duplex, m: Message): void {
  const json = JSON.stringify({
    error: "BAD_GATEWAY",
    message: renderEnglish(m),
    fieldErrors: null,
    serverMessage: m,
    fieldMessages: null,
  });
  socket.end(
    `HTTP/1.1 502 ${httpStatusText(502)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

/** Same-origin (the portal's own address as the browser used it), or one of the configured origins. */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: string[],
): boolean {
  if (!origin) return false;
  if (allowed.includes(origin)) return true;
  return !!host && (origin === `http://${host}` || origin === `https://${host}`);
}

/**
 * User input resets the idle timer; noVNC's own FramebufferUpdateRequests (type 3, 10 bytes) do not,
 * or an open but untouched graphical console would never time out.
 */
export function isUserActivity(kind: ConsoleKind, data: Buffer): boolean {
  if (kind === "serial") return data.length > 0;
  for (let i = 0; i < data.length;) {
    if (data[i] !== 3) return true;
    i += 10;
  }
  return false;
}

export function createConsoleProxy(o: ConsoleProxyOptions) {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (p) => (p.has("binary") ? "binary" : false),
    perMessageDeflate: false,
  });
  const perUser = new Map<string, number>();
  let total = 0;
  /** Bridged consoles opened with a terminal's ticket: re-checked against their terminal while open. */
  const terminalConsoles = new Map<WebSocket, ConsoleTarget>();

  // The terminal's state decides, as the database has it now, in whichever portal process changed it: a
  // revoke, a sign-out at the kiosk, an idle sign-out or a move ends the console within a few seconds.
  let checking = false;
  const recheck = setInterval(() => {
    if (checking || terminalConsoles.size === 0) return;
    checking = true;
    const open = [...terminalConsoles];
    findEndedTerminalConsoles(
      o.db,
      open.map(([, t]) => ({ terminalId: t.terminalId!, userId: t.userId, instanceId: t.instanceId })),
    )
      .then((ended) => {
        for (const i of ended) {
          const [browser, t] = open[i]!;
          o.log.info({ terminal: t.terminalId, instance: t.instanceId }, "terminal console ended");
          browser.close(4001, closeReason(msg("consoles.sessionEnded")));
        }
      })
      .catch((err: unknown) => o.log.warn({ err }, "re-checking terminal consoles failed"))
      .finally(() => (checking = false));
  }, o.terminalRecheckMs ?? 3000);
  recheck.unref();

  function bridge(browser: WebSocket, agent: WebSocket, t: ConsoleTarget, release: () => void): void {
    const started = Date.now();
    let lastInput = Date.now();
    let activityNoted = 0;
    if (t.terminalId) terminalConsoles.set(browser, t);
    let bytesDown = 0;
    const log = o.log.child({ console: t.kind, instance: t.instanceId, user: t.username });
    log.info("console opened");
    const idle = setInterval(
      () => {
        if (Date.now() - lastInput > o.idleTimeoutMs) {
          const minutes = Math.round(o.idleTimeoutMs / 60_000);
          browser.close(4000, closeReason(msg("consoles.idleClosed", { minutes })));
        }
      },
      Math.min(30_000, Math.max(1000, o.idleTimeoutMs / 10)),
    );
    let paused: NodeJS.Timeout | undefined;
    agent.on("message", (data: RawData) => {
      const buf = data as Buffer;
      bytesDown += buf.length;
      browser.send(buf, { binary: true });
      // Slow browser: stop reading from the agent until the browser has taken most of it.
      if (browser.bufferedAmount > HIGH_WATER && !paused) {
        agent.pause();
        paused = setInterval(() => {
          if (browser.bufferedAmount < HIGH_WATER / 4) {
            clearInterval(paused);
            paused = undefined;
            agent.resume();
          }
        }, 20);
      }
    });
    browser.on("message", (data: RawData) => {
      const buf = data as Buffer;
      if (isUserActivity(t.kind, buf)) {
        lastInput = Date.now();
        // A student typing at a kiosk is not idle there (kiosk-idle.ts): noted now and then, not per key.
        if (t.terminalId && t.userId !== null && lastInput - activityNoted > ACTIVITY_NOTE_MS) {
          activityNoted = lastInput;
          void noteKioskActivity({ redis: o.redis, prefix: o.redisPrefix }, t.terminalId).catch(
            () => undefined,
          );
        }
      }
      if (agent.readyState === WebSocket.OPEN) agent.send(buf, { binary: true });
    });
    const closeBoth = (code: number, reason: Buffer | string) => {
      const safe = code >= 4000 || code === 1000 || code === 1001 ? code : 1000;
      for (const ws of [browser, agent])
        if (ws.readyState === WebSocket.OPEN) ws.close(safe, String(reason).slice(0, 120));
    };
    browser.on("close", (code, reason) => closeBoth(code, reason));
    agent.on("close", (code, reason) =>
      closeBoth(code, reason.length ? reason : "The console on the host closed"),
    );
    for (const ws of [browser, agent]) ws.on("error", () => closeBoth(1000, "Connection error"));
    browser.once("close", () => {
      terminalConsoles.delete(browser);
      clearInterval(idle);
      if (paused) clearInterval(paused);
      release();
      log.info({ seconds: Math.round((Date.now() - started) / 1000), bytesDown }, "console closed");
    });
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://portal");
    const m = PATH.exec(url.pathname);
    if (!m) return refuse(socket, "NOT_FOUND", msg("consoles.noSuchConsole"));
    if (!isOriginAllowed(req.headers.origin, req.headers.host, o.allowedOrigins)) {
      return refuse(socket, "FORBIDDEN", msg("consoles.originRefused"));
    }
    let target: ConsoleTarget;
    try {
      target = await authorizeConsole(o, {
        kind: m[1] as ConsoleKind,
        instanceId: m[2]!,
        ticket: url.searchParams.get("ticket") ?? "",
      });
    } catch (err) {
      if (toDomainFailure(err)) return refuseWith(socket, err);
      o.log.error({ err }, "console authorisation failed");
      return refuse(socket, "UNAVAILABLE", msg("consoles.cannotOpen"));
    }
    // The browser may have gone while we checked: nothing to count, nothing to connect.
    if (socket.destroyed) return;
    if (total >= o.maxPerProcess) return refuse(socket, "UNAVAILABLE", msg("consoles.portalFull"));
    if ((perUser.get(target.limitKey) ?? 0) >= o.maxPerUser) {
      return refuse(socket, "RATE_LIMITED", msg("consoles.userLimit", { max: o.maxPerUser }));
    }
    // From here every way out — refusal, failed connect, timeout, hang-up, the end of a session — goes
    // through release(), which counts once: a slot can neither leak nor be given back twice.
    total++;
    perUser.set(target.limitKey, (perUser.get(target.limitKey) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      total--;
      perUser.set(target.limitKey, (perUser.get(target.limitKey) ?? 1) - 1);
    };
    const log = o.log.child({ console: target.kind, instance: target.instanceId, host: target.hostId });
    // Whatever went wrong on the host's side, the user reads one sentence; the details go to our log
    // (an upstream's status or body is never shown: the address may not be an agent at all).
    let answered = false;
    const unavailable = (why: Record<string, unknown>) => {
      if (answered) return;
      answered = true;
      log.warn(why, "console unavailable");
      release();
      if (!socket.destroyed && socket.writable) refuseBadGateway(socket, msg("consoles.unavailable"));
    };
    if (!isConsoleUrl(target.agentConsoleUrl)) {
      return unavailable({ reason: "the host's pinned console address is not ws(s)://host:port" });
    }

    const grant = signConsoleGrant(
      { hostId: target.hostId, instanceId: target.instanceId, kind: target.kind, exp: Date.now() + 15_000 },
      o.signingKey,
    );
    let agent: WebSocket;
    try {
      agent = new WebSocket(
        `${target.agentConsoleUrl}${AGENT_CONSOLE_PATH}?grant=${encodeURIComponent(grant)}`,
        ["binary"],
        { handshakeTimeout: 5000, perMessageDeflate: false, followRedirects: false },
      );
    } catch (err) {
      return unavailable({ err: (err as Error).message });
    }
    let opened = false;
    let bridged = false;
    // The browser hung up (before the host answered, or during a handshake ws gave up on): give the slot
    // back and drop the attempt. Once bridged, the same close also ends the session (release is once).
    socket.once("close", () => {
      release();
      if (!bridged) agent.terminate();
    });
    // An upgraded socket is half-open: a browser's FIN alone never closes it, so end it ourselves.
    socket.once("end", () => {
      if (!bridged) socket.destroy();
    });
    agent.once("unexpected-response", (_r, res) => {
      res.resume(); // the body is drained, never read into an answer
      const refusal = String(res.headers["x-educloud-console-refusal"] ?? "");
      const busy = BUSY[refusal];
      if (!busy) unavailable({ status: res.statusCode, refusal });
      else if (!answered) {
        answered = true;
        release();
        if (!socket.destroyed && socket.writable) refuse(socket, "CONFLICT", busy);
      }
      agent.terminate();
    });
    agent.once("error", (err) => {
      // ws marks a socket CLOSING before it reports a failed connect, so "not opened yet" is the test.
      if (!opened) unavailable({ err: err.message });
    });
    agent.once("open", () => {
      opened = true;
      if (socket.destroyed) {
        release();
        agent.close();
        return;
      }
      // From here bridge() owns the session and releases its slot when the browser side closes.
      wss.handleUpgrade(req, socket, head, (browser) => {
        bridged = true;
        bridge(browser, agent, target, release);
      });
    });
  }

  return {
    handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      void handleUpgrade(req, socket, head).catch((err: unknown) => {
        o.log.error({ err }, "console upgrade failed");
        socket.destroy();
      }),
    openSessions: () => total,
    close: () => {
      clearInterval(recheck);
      wss.close();
    },
  };
}
