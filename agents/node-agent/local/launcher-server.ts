// The launcher a person at a lab PC uses (local mode): a small HTTP server on loopback. Every request
// is checked for coming from this machine (the socket's address) and for naming the launcher as its
// Host (no DNS rebinding); every POST carries the page's token (no other web page can press Start).
// Anonymous visitors get the public profiles; a sign-in is checked by the portal, never here.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { LocalProfile } from "../../protocol/local";
import type { ListenAddress } from "../console/listen-address";
import { readCookie } from "./cookies";
import { DEFAULT_LAUNCHER_LIMITS, sharedFor, TokenBucket, type LauncherLimits } from "./flood-limits";
import { renderLauncherPage, type LauncherView } from "./launcher-page";
import { chooseLocale, type LauncherLocale } from "./launcher-text";
import { LocalDesktopBusyError, type LocalDesktop, type LocalRun } from "./local-desktop";
import { loadPublicProfiles, markReported, pendingUsage, savePublicProfiles } from "./local-state";
import { assertLoopbackListen } from "./local-settings";
import { isLauncherHost, isLoopbackAddress } from "./loopback";
import { PortalRefusedError, PortalUnreachableError, type LocalPortalClient } from "./portal-client";

interface Visit {
  csrf: string;
  user: { id: number; username: string; ticket: string } | null;
  /** The user's own profiles as the portal listed them at sign-in (kept in memory only). */
  myProfiles: LocalProfile[];
  notice: LauncherView["notice"];
  lastSeen: number;
}

export interface LauncherOptions {
  stateDir: string;
  listen: ListenAddress;
  portal: LocalPortalClient;
  desktop: LocalDesktop;
  log: Logger;
  /** How often unreported usage is sent (when the portal answers). */
  reportEveryMs?: number;
  /** What a flood of requests may cost (flood-limits.ts); tests pass smaller ones. */
  limits?: Partial<LauncherLimits>;
}

const VISIT_IDLE_MS = 30 * 60_000;
const MAX_BODY = 8 * 1024;
const MAX_VISITS = 200;

/**
 * Who is really on the other end of the socket: no proxy or forwarded header can make this true. The
 * launcher listens on loopback anyway; this holds even if something forwards a port to it.
 */
export function refuseUnlessLoopback(req: IncomingMessage, res: ServerResponse, log?: Logger): boolean {
  if (isLoopbackAddress(req.socket.remoteAddress)) return false;
  log?.warn({ from: req.socket.remoteAddress }, "launcher refused a non-loopback connection");
  res.writeHead(403, { connection: "close", "content-type": "text/plain" }).end("loopback only");
  req.socket.destroy();
  return true;
}

export async function startLauncher(opts: LauncherOptions) {
  assertLoopbackListen(opts.listen);
  const limits: LauncherLimits = { ...DEFAULT_LAUNCHER_LIMITS, ...opts.limits };
  const visits = new Map<string, Visit>();
  let starting: { name: string } | null = null;
  let inFlight = 0;
  const requests = new TokenBucket(limits.requestBurst, limits.requestsPerSecond);
  const signIns = new TokenBucket(limits.signInBurst, 1 / limits.signInEverySeconds);
  // Every page view shows the public profiles: one question to the portal per period, however many views.
  const askPortalForProfiles = sharedFor(() => opts.portal.listProfiles(), limits.profilesFreshMs);

  /** Public profiles now: the portal's list (kept on disk), or the kept one when it does not answer. */
  const publicProfiles = async (): Promise<{
    profiles: LocalProfile[];
    offline: boolean;
    refused?: boolean;
  }> => {
    try {
      const { profiles } = await askPortalForProfiles();
      const pub = profiles.filter((p) => p.public);
      await savePublicProfiles(opts.stateDir, pub).catch(() => undefined);
      return { profiles: pub, offline: false };
    } catch (err) {
      // The portal answered no (this PC is not a lab PC, or its credential was revoked): nothing to offer.
      if (err instanceof PortalRefusedError) {
        opts.log.warn({ err: err.message, code: err.code }, "the portal refused this PC local desktops");
        return { profiles: [], offline: false, refused: true };
      }
      if (!(err instanceof PortalUnreachableError))
        opts.log.warn({ err: (err as Error).message }, "profiles");
      return { profiles: await loadPublicProfiles(opts.stateDir), offline: true };
    }
  };

  /** One pass: everything queued on disk, in batches; what fails stays for the next pass. */
  const reportPass = async (): Promise<void> => {
    try {
      const records = await pendingUsage(opts.stateDir);
      for (let i = 0; i < records.length; i += 200) {
        const batch = records.slice(i, i + 200);
        await opts.portal.reportUsage(batch);
        await markReported(opts.stateDir, batch);
      }
    } catch (err) {
      opts.log.debug({ err: (err as Error).message }, "usage not reported yet");
    }
  };
  // One pass at a time; a call during a pass gets a fresh pass after it (that pass may have read the
  // queue before this call's record was written, or met the portal still down).
  let reporting: Promise<void> | null = null;
  let nextPass: Promise<void> | null = null;
  const reportUsage = (): Promise<void> => {
    if (!reporting) {
      reporting = reportPass().finally(() => (reporting = null));
      return reporting;
    }
    nextPass ??= reporting.then(() => {
      nextPass = null;
      return reportUsage();
    });
    return nextPass;
  };
  const reportTimer = setInterval(() => void reportUsage(), opts.reportEveryMs ?? 30_000);
  reportTimer.unref();

  /** A run that ended signs its user out here: the next person at the PC starts anonymous. */
  const endedRun = (run: LocalRun) => {
    if (run.user) for (const [id, v] of visits) if (v.user?.id === run.user.id) visits.delete(id);
    void reportUsage();
  };

  const visitOf = (req: IncomingMessage, res: ServerResponse): Visit => {
    const now = Date.now();
    for (const [id, v] of visits) if (now - v.lastSeen > VISIT_IDLE_MS) visits.delete(id);
    const id = readCookie(req.headers.cookie, "launcher");
    let visit = id ? visits.get(id) : undefined;
    if (!visit) {
      // A page that loops on the launcher without its cookie must not grow this without end, nor push
      // out the person signed in at the PC: the oldest anonymous visit goes (the oldest of all if none).
      if (visits.size >= MAX_VISITS) {
        const anonymous = [...visits].find(([, v]) => v.user === null)?.[0];
        visits.delete(anonymous ?? visits.keys().next().value!);
      }
      const fresh = randomBytes(24).toString("base64url");
      visit = {
        csrf: randomBytes(24).toString("base64url"),
        user: null,
        myProfiles: [],
        notice: null,
        lastSeen: now,
      };
      visits.set(fresh, visit);
      res.appendHeader("set-cookie", `launcher=${fresh}; HttpOnly; SameSite=Strict; Path=/`);
    }
    visit.lastSeen = now;
    return visit;
  };

  const server = createServer((req, res) => {
    // Refused at once, before any work: beyond the rate, or with too many answers under way.
    if (!requests.take() || inFlight >= limits.maxConcurrent) {
      res.writeHead(inFlight >= limits.maxConcurrent ? 503 : 429, {
        "content-type": "text/plain",
        "retry-after": "1",
        connection: "close",
      });
      res.end("busy");
      return;
    }
    inFlight++;
    res.once("close", () => inFlight--);
    void handle(req, res).catch((err) => {
      opts.log.error({ err: (err as Error).message }, "launcher request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("error");
    });
  });
  // A slow sender (headers or body a byte at a time) holds a slot for seconds, not for ever.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.maxHeadersCount = 50;
  server.maxConnections = limits.maxConcurrent * 4;

  const send = (res: ServerResponse, status: number, body: string, type = "text/html; charset=utf-8") => {
    res.writeHead(status, {
      "content-type": type,
      "cache-control": "no-store",
      "x-frame-options": "DENY",
      "content-security-policy":
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      "referrer-policy": "no-referrer",
    });
    res.end(body);
  };
  const backHome = (res: ServerResponse) => {
    res.writeHead(303, { location: "/", "cache-control": "no-store" });
    res.end();
  };

  async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
    if (Number(req.headers["content-length"] ?? 0) > MAX_BODY) return null;
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return null;
      chunks.push(chunk);
    }
    return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
  }

  const sameToken = (a: string, b: string) =>
    a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (refuseUnlessLoopback(req, res, opts.log)) return;
    if (!isLauncherHost(req.headers.host, port)) return send(res, 421, "wrong host", "text/plain");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const visit = visitOf(req, res);
    const lang = url.searchParams.get("lang");
    let cookieLang = readCookie(req.headers.cookie, "lang");
    if (lang === "en" || lang === "zh-CN") {
      res.appendHeader("set-cookie", `lang=${lang}; SameSite=Strict; Path=/`);
      cookieLang = lang;
    }
    const locale: LauncherLocale = chooseLocale(cookieLang, req.headers["accept-language"]);

    if (req.method === "GET" && url.pathname === "/status") {
      const run = opts.desktop.current();
      return send(
        res,
        200,
        JSON.stringify({
          running: run ? { vmId: run.vmId, profileId: run.profile.id } : null,
          starting: !!starting,
        }),
        "application/json",
      );
    }
    if (req.method === "GET" && url.pathname === "/") {
      const { profiles, offline, refused } = await publicProfiles();
      const run = opts.desktop.current();
      const notice = visit.notice ?? (refused ? { key: "notLabPc" as const, error: true } : null);
      visit.notice = null;
      return send(
        res,
        200,
        renderLauncherPage({
          locale,
          csrf: visit.csrf,
          publicProfiles: profiles,
          myProfiles: visit.myProfiles.filter((p) => !p.public),
          user: visit.user,
          offline,
          running: run ? { name: run.profile.name } : null,
          starting,
          notice,
        }),
      );
    }
    if (req.method !== "POST") return send(res, 404, "not found", "text/plain");
    const form = await readForm(req);
    if (!form) {
      // Nothing more is read: the rest of the body goes with the connection.
      res.setHeader("connection", "close");
      send(res, 413, "too large", "text/plain");
      req.socket.destroySoon();
      return;
    }
    if (!sameToken(form.get("csrf") ?? "", visit.csrf)) {
      visit.notice = { key: "expired", error: true };
      return backHome(res);
    }
    switch (url.pathname) {
      case "/signin":
        await signIn(visit, form);
        return backHome(res);
      case "/signout":
        visit.user = null;
        visit.myProfiles = [];
        return backHome(res);
      case "/start":
        await start(visit, Number(form.get("profileId")));
        return backHome(res);
      case "/stop":
        await opts.desktop.stop();
        visit.notice = { key: "stopped" };
        return backHome(res);
      default:
        return send(res, 404, "not found", "text/plain");
    }
  }

  async function signIn(visit: Visit, form: URLSearchParams): Promise<void> {
    const username = (form.get("username") ?? "").slice(0, 64);
    const password = (form.get("password") ?? "").slice(0, 256);
    if (!username || !password) {
      visit.notice = { key: "badLogin", error: true };
      return;
    }
    // The portal limits sign-ins per account and address too, but this PC is one address for everyone
    // at it: a flood here would lock the next student out there. Few are forwarded, whatever comes.
    if (!signIns.take()) {
      visit.notice = { key: "tooManySignIns", error: true };
      return;
    }
    try {
      const answer = await opts.portal.listProfiles({ username, password });
      if (!answer.user) throw new PortalRefusedError(401, undefined, "no user");
      visit.user = answer.user;
      visit.myProfiles = answer.profiles;
      visit.notice = null;
    } catch (err) {
      visit.notice = {
        key: err instanceof PortalUnreachableError ? "signInUnavailable" : "badLogin",
        error: true,
      };
    }
  }

  async function start(visit: Visit, profileId: number): Promise<void> {
    // One desktop at a time: a second Start while one starts or runs costs nothing (no portal question).
    if (starting || opts.desktop.busy()) {
      visit.notice = { key: "busy", error: true };
      return;
    }
    // Only what this visitor was shown: public profiles (live or kept), or their own from sign-in.
    const own = visit.user ? visit.myProfiles.find((p) => p.id === profileId) : undefined;
    const profile = own ?? (await publicProfiles()).profiles.find((p) => p.id === profileId);
    if (!profile) {
      visit.notice = { key: "unknownProfile", error: true };
      return;
    }
    if (starting || opts.desktop.busy()) {
      visit.notice = { key: "busy", error: true };
      return;
    }
    // In the background: a first start downloads the image, longer than a browser waits for an answer.
    // The page shows "starting" and reloads itself until the desktop runs.
    starting = { name: profile.name };
    void opts.desktop
      .start(profile, own ? visit.user : null)
      .then(() => void reportUsage())
      .catch((err: Error) => {
        visit.notice =
          err instanceof LocalDesktopBusyError
            ? { key: "busy", error: true }
            : { key: "startFailed", params: { detail: err.message.slice(0, 300) }, error: true };
        opts.log.warn({ err: err.message, profileId }, "local desktop did not start");
      })
      .finally(() => (starting = null));
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.listen.port, opts.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.listen.host.includes(":") ? `[${opts.listen.host}]` : opts.listen.host}:${port}`,
    port,
    endedRun,
    reportUsage,
    async close(): Promise<void> {
      clearInterval(reportTimer);
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
