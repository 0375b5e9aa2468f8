// Calls EVERY procedure of appRouter, EVERY route of app/api (found on disk) and the console WebSocket
// as every kind of caller, and checks each answer against the permission table. All three ask the same
// authorize(). A procedure or route added without a permission entry, or without a fixture here, fails.
import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { hosts } from "@/db/schema";
import { permissionFor, type Resource } from "@/common/permissions";
import { deriveConsoleSigningKey } from "@/server/console/console-key";
import { createConsoleProxy } from "@/server/console/console-proxy";
import { storeConsoleTicket } from "@/server/domain/consoles/console-tickets";
import { issueJoinToken } from "@/server/domain/hosts/join-host";
import type { RouteContext, RouteMeta } from "@/server/http/handler";
import { getServices } from "@/server/services";
import { issueKioskLink } from "@/server/domain/terminals/kiosk-sessions";
import { signTerminalRequest } from "@/server/domain/terminals/terminal-secrets";
import { formatUploadMetadata } from "@/server/uploads/tus-headers";
import { uploadsDir } from "@/server/uploads/upload-files";
import { sessionCookieFor } from "@/server/testing/tus-client";
import { callerFor, FIXTURE_PASSWORD, hostFacts, uniqueName } from "@/server/testing/fixtures";
import { makeLocalHost } from "@/server/testing/local-fixtures";
import {
  ACTOR_KINDS,
  clearEnrolLimits,
  expectedOutcome,
  FIXTURES,
  kioskCookieOf,
  openRbacWorld,
  requestWith,
  terminalOf,
  UNRESOLVED,
  type ActorKind,
  type Outcome,
  type World,
} from "@/server/testing/rbac-world";
import { appRouter } from "./root";
import type { ProcedureMeta } from "./trpc";

// Routes read the image store from the process's settings; point them at this run's own directory.
const storeDir = await mkdtemp(join(tmpdir(), "educloud-rbac-"));
Object.assign(getServices().settings, { imageStoreDir: storeDir });
const SECRET = getServices().settings.sessionSecret;

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta; type: string } }>,
);

function callProcedure(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (i: unknown) => Promise<unknown>)(input);
}

let w: World;
let staleCookies: Partial<Record<ActorKind, string>> = {};

beforeAll(async () => {
  ({ w, staleCookies } = await openRbacWorld(storeDir));
});

afterAll(async () => {
  await w?.s.close();
  await rm(storeDir, { recursive: true, force: true });
});

describe("RBAC matrix over appRouter", () => {
  it("finds procedures to check", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(Object.keys(FIXTURES).length);
  });

  it("every procedure has a permission entry from the table, and a fixture here", () => {
    for (const [path, proc] of procedures) {
      const meta = proc._def.meta;
      expect(meta, `${path} was not built with procedureFor()`).toBeDefined();
      expect(meta!.permission, `${path}`).toEqual(
        permissionFor(meta!.resource as Resource, meta!.action as never),
      );
      expect(FIXTURES[path], `${path} has no fixture in the RBAC matrix`).toBeDefined();
      if (meta!.permission.scope !== "none") {
        expect(
          FIXTURES[path]!.targetsGroupA || FIXTURES[path]!.checkResult || FIXTURES[path]!.ownerOnly,
          `${path} is scoped but the matrix does not test its scope`,
        ).toBeTruthy();
      }
    }
  });

  it("no fixture names a procedure that does not exist", () => {
    const paths = new Set(procedures.map(([p]) => p));
    for (const path of Object.keys(FIXTURES)) expect(paths.has(path), `${path}`).toBe(true);
  });

  for (const [path, proc] of procedures) {
    describe(path, () => {
      for (const kind of ACTOR_KINDS) {
        it(`as ${kind}`, async () => {
          const fixture = FIXTURES[path];
          const meta = proc._def.meta;
          if (!fixture || !meta) throw new Error(`${path}: no fixture or no permission entry`);
          const actor = w.actors[kind];
          const want = expectedOutcome(meta.permission, kind, actor, fixture, meta.resource as Resource);
          const input = await fixture.input(w);
          let got: Outcome | string;
          let result: unknown;
          try {
            result = await callProcedure(callerFor(w.s, actor), path, input);
            got = "ok";
          } catch (err) {
            got = err instanceof TRPCError ? err.code : String(err);
            if (got !== want) throw err;
          }
          expect(got, `${path} as ${kind}`).toBe(want);
          if (got === "ok") fixture.checkResult?.(w, kind, result);
        });
      }
    });
  }
});

// ---- HTTP routes: every app/api/**/route.ts, every method it exports ------------------------------

/** Besides people and a host: an approved terminal's signed request, and its kiosk page's cookie. */
type HttpKind = ActorKind | "host" | "terminal" | "kiosk";
const HTTP_KINDS: HttpKind[] = [...ACTOR_KINDS, "host", "terminal", "kiosk"];
const OTHER_CALLERS: HttpKind[] = ["host", "terminal", "kiosk"];
const HTTP_STATUS: Record<Outcome, number | null> = { ok: null, UNAUTHORIZED: 401, FORBIDDEN: 403 };

interface RouteFixture {
  /** The request for this caller (credentials are added by the matrix). */
  request: (
    w: World,
    kind: HttpKind,
    credentials: Record<string, string>,
  ) => Promise<RouteRequest> | RouteRequest;
  /** What a caller that authorize() admits gets (the domain's own answer). */
  okStatus: number;
}
interface RouteRequest {
  params?: Record<string, string>;
  query?: string;
  init?: RequestInit;
}

const TUS = { "tus-resumable": "1.0.0" };
const uploadMeta = () =>
  formatUploadMetadata({ name: uniqueName("up"), format: "raw", visibility: "private" });

/** An upload of this caller's (created through the creation route), or an id nobody has. */
async function uploadOf(credentials: Record<string, string>): Promise<string> {
  // A person may have only MAX_OPEN_UPLOADS open, and the earlier rows of the matrix leave theirs open:
  // forget them (as the day-old sweep would), so this row is about who may, not how many.
  await rm(uploadsDir(storeDir), { recursive: true, force: true });
  const res = await routeHandler("POST /api/v1/uploads")(
    requestWith(
      { ...credentials, ...TUS, "upload-length": "1024", "upload-metadata": uploadMeta() },
      "http://portal/api/v1/uploads",
      { method: "POST" },
    ),
  );
  const location = res.headers.get("location");
  return location ? location.split("/").pop()! : "00000000-0000-4000-8000-000000000000";
}

/**
 * The local-desktop routes serve lab PCs only (hosts in a local desktops cluster): the host row of the
 * matrix presents such a PC's credential (the matrix host stays placeable for the other rows).
 */
let labPc: Promise<string> | undefined;
async function labPcCredentials(w: World, kind: HttpKind): Promise<Record<string, string>> {
  if (kind !== "host") return {};
  labPc ??= makeLocalHost(w.s).then((h) => h.authorization);
  return { authorization: await labPc };
}

const ROUTE_FIXTURES: Record<string, RouteFixture> = {
  "GET /api/v1/health": { request: () => ({}), okStatus: 200 },
  "GET /api/v1/openapi.json": { request: () => ({}), okStatus: 200 },
  "GET /api/v1/docs/[[...asset]]": { request: () => ({}), okStatus: 200 },
  "PUT /api/v1/images": {
    request: () => ({
      query: `name=${uniqueName("put")}&format=raw&visibility=private`,
      init: { method: "PUT", body: randomBytes(64 * 1024) },
    }),
    okStatus: 201,
  },
  "GET /api/v1/images/[id]/download": {
    request: (w) => ({ params: { id: w.storedImageId } }),
    okStatus: 200,
  },
  "HEAD /api/v1/images/[id]/download": {
    request: (w) => ({ params: { id: w.storedImageId }, init: { method: "HEAD" } }),
    okStatus: 200,
  },
  "OPTIONS /api/v1/uploads": { request: () => ({ init: { method: "OPTIONS" } }), okStatus: 204 },
  "POST /api/v1/uploads": {
    request: () => ({
      init: { method: "POST", headers: { ...TUS, "upload-length": "1024", "upload-metadata": uploadMeta() } },
    }),
    okStatus: 201,
  },
  "OPTIONS /api/v1/uploads/[id]": { request: () => ({ init: { method: "OPTIONS" } }), okStatus: 204 },
  "HEAD /api/v1/uploads/[id]": {
    request: async (_w, _k, c) => ({
      params: { id: await uploadOf(c) },
      init: { method: "HEAD", headers: TUS },
    }),
    okStatus: 200,
  },
  "PATCH /api/v1/uploads/[id]": {
    request: async (_w, _k, c) => ({
      params: { id: await uploadOf(c) },
      init: {
        method: "PATCH",
        headers: { ...TUS, "content-type": "application/offset+octet-stream", "upload-offset": "0" },
        body: randomBytes(512),
      },
    }),
    okStatus: 204,
  },
  "DELETE /api/v1/uploads/[id]": {
    request: async (_w, _k, c) => ({
      params: { id: await uploadOf(c) },
      init: { method: "DELETE", headers: TUS },
    }),
    okStatus: 204,
  },
  "POST /api/v1/agent/join": {
    request: async (w) => ({
      init: {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          token: (await issueJoinToken(w.s.db, 600)).token,
          name: uniqueName("joined"),
          facts: hostFacts(),
          consoleUrl: "ws://127.0.0.1:7901",
        }),
      },
    }),
    okStatus: 200,
  },
  "GET /api/v1/agent/console-key": { request: () => ({}), okStatus: 200 },
  // Anonymous at a lab PC: public profiles only, through the PC's host credential (never without one).
  "POST /api/v1/agent/local/profiles": {
    request: async (w, kind) => ({
      init: {
        method: "POST",
        headers: { "content-type": "application/json", ...(await labPcCredentials(w, kind)) },
        body: "{}",
      },
    }),
    okStatus: 200,
  },
  "POST /api/v1/agent/local/usage": {
    request: async (w, kind) => ({
      init: {
        method: "POST",
        headers: { "content-type": "application/json", ...(await labPcCredentials(w, kind)) },
        body: JSON.stringify({
          records: [
            {
              id: randomUUID(),
              userId: null,
              profileId: 1,
              profileName: "matrix",
              profileVersion: 1,
              startedAt: new Date().toISOString(),
              endedAt: null,
            },
          ],
        }),
      },
    }),
    okStatus: 200,
  },
  "GET /api/v1/agent/images/[id]/content": {
    request: (w) => ({ params: { id: w.storedImageId } }),
    okStatus: 200,
  },
  // No desktop has this id: a teacher gets past authorize() to the domain's 404 (the scope and the
  // real PNG: server/http/desktop-thumbnail.int.test.ts).
  "GET /api/v1/desktops/[id]/thumbnail": {
    request: () => ({ params: { id: "00000000-0000-4000-8000-000000000000" } }),
    okStatus: 404,
  },
  // No capture task of this host has this id: a host gets past authorize() to the domain's 404.
  // Open to anyone: the new terminal's secret, once (the limit per address is far above the matrix's calls).
  "POST /api/v1/terminals/enrol": {
    request: async (w) => ({
      ...(await clearEnrolLimits(w)),
      init: {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ mac: "02:00:00:00:0b:0b" }),
      },
    }),
    okStatus: 201,
  },
  "GET /api/v1/terminals/config": { request: () => ({}), okStatus: 200 },
  // Not a seat terminal: an admitted terminal gets past authorize() to the domain's 409.
  "POST /api/v1/terminals/console-ticket": { request: () => ({ init: { method: "POST" } }), okStatus: 409 },
  // The one-time link is the proof: anyone holding one is sent to the kiosk page with its cookie.
  "GET /api/v1/kiosk/start": {
    request: async (w) => ({
      query: `token=${await issueKioskLink(
        { redis: w.s.redis, prefix: getServices().settings.redisPrefix },
        (await terminalOf(w, "approved")).id,
      )}`,
    }),
    okStatus: 303,
  },
  "GET /api/v1/kiosk/state": { request: () => ({}), okStatus: 200 },
  // Someone is signed in at the matrix's kiosk already: the admitted kiosk gets the domain's 409.
  "POST /api/v1/kiosk/sign-in": {
    request: (w) => ({
      init: {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: w.targetUserA.username, password: FIXTURE_PASSWORD }),
      },
    }),
    okStatus: 409,
  },
  // Group A's lab has no pool: the admitted kiosk's student gets the domain's 409 (no desktop to give).
  "POST /api/v1/kiosk/desktop": { request: () => ({ init: { method: "POST" } }), okStatus: 409 },
  "POST /api/v1/kiosk/ticket": { request: () => ({ init: { method: "POST" } }), okStatus: 409 },
  "POST /api/v1/kiosk/sign-out": { request: () => ({ init: { method: "POST" } }), okStatus: 200 },
  "PUT /api/v1/agent/captures/[taskId]": {
    request: () => ({
      params: { taskId: "00000000-0000-4000-8000-000000000000" },
      init: { method: "PUT", body: randomBytes(1024) },
    }),
    okStatus: 404,
  },
};

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type Handler = ((req: Request, ctx?: RouteContext) => Promise<Response>) & { meta?: RouteMeta };

/** Every route file under app/api, as "METHOD /api/…" → its handler (the URL keeps [param] names). */
async function findRoutes(): Promise<Map<string, Handler>> {
  const root = join(process.cwd(), "app", "api");
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) =>
    /(^|\/)route\.ts$/.test(f),
  );
  const found = new Map<string, Handler>();
  for (const file of files) {
    const url =
      "/" +
      relative(process.cwd(), join(root, file))
        .replace(/^app\//, "")
        .replace(/\/route\.ts$/, "");
    const mod = (await import(join(root, file))) as Record<string, unknown>;
    for (const m of METHODS) if (typeof mod[m] === "function") found.set(`${m} ${url}`, mod[m] as Handler);
  }
  return found;
}
const routes = await findRoutes();
const routeHandler = (key: string): Handler => routes.get(key)!;

function credentialsOf(kind: HttpKind, fresh: Partial<Record<ActorKind, string>>): Record<string, string> {
  if (kind === "host") return { authorization: w.hostAuthorization };
  if (kind === "terminal" || kind === "kiosk") return {}; // added per request below
  // The disabled and revoked callers present the cookie they had; everyone else one issued now.
  const cookie =
    kind === "disabled" || kind === "revokedSession" ? staleCookies[kind] : fresh[kind as ActorKind];
  return cookie ? { cookie } : {};
}

function expectedRouteOutcome(meta: Extract<RouteMeta, { resource: Resource }>, kind: HttpKind): Outcome {
  const p = permissionFor(meta.resource, meta.action as never);
  if (p.least === "anonymous") return "ok";
  // What each credential resolves to: a session route sees users, a host route sees hosts.
  // Session-or-token routes see a person's session here (the REST matrix presents their tokens).
  if (meta.credentials !== "session" && meta.credentials !== "sessionOrToken")
    return kind === meta.credentials ? "ok" : "UNAUTHORIZED";
  if (OTHER_CALLERS.includes(kind)) return "UNAUTHORIZED";
  return expectedOutcome(p, kind as ActorKind, w.actors[kind as ActorKind], {});
}

describe("RBAC matrix over the HTTP routes (app/api/**/route.ts)", () => {
  it("finds the route files", () => {
    expect(routes.size).toBeGreaterThanOrEqual(Object.keys(ROUTE_FIXTURES).length);
  });

  it("every route was built with the one wrapper (or names why not), and has a fixture here", () => {
    const exempt: string[] = [];
    for (const [key, handler] of routes) {
      expect(handler.meta, `${key} was not built with defineHandler()/describeRoute()`).toBeDefined();
      if ("exempt" in handler.meta!) {
        exempt.push(key.split(" ")[1]!);
        continue;
      }
      expect(ROUTE_FIXTURES[key], `${key} has no fixture in the RBAC matrix`).toBeDefined();
      expect(permissionFor(handler.meta!.resource, handler.meta!.action as never), key).toBeDefined();
    }
    // Only tRPC (its own matrix above), REST (each path calls a procedure; the REST matrix) and next-auth
    // (signing in) stand outside it.
    expect([...new Set(exempt)].sort()).toEqual([
      "/api/auth/[...nextauth]",
      "/api/trpc/[trpc]",
      "/api/v1/[...path]",
      "/api/v1/images",
    ]);
  });

  it("no fixture names a route that does not exist", () => {
    for (const key of Object.keys(ROUTE_FIXTURES)) expect(routes.has(key), key).toBe(true);
  });

  for (const [key, handler] of routes) {
    const meta = handler.meta;
    if (!meta || "exempt" in meta) continue;
    describe(key, () => {
      for (const kind of HTTP_KINDS) {
        it(`as ${kind}`, async () => {
          const fixture = ROUTE_FIXTURES[key];
          if (!fixture) throw new Error(`${key}: no fixture`);
          const fresh: Partial<Record<ActorKind, string>> = {};
          const person = OTHER_CALLERS.includes(kind) ? null : (kind as ActorKind);
          if (person && w.accounts[person] && !UNRESOLVED.includes(person))
            fresh[person] = await sessionCookieFor(w.s, w.accounts[person]!.id, SECRET);
          const credentials = credentialsOf(kind, fresh);
          const { params = {}, query, init = {} } = await fixture.request(w, kind, credentials);
          let path = key.split(" ")[1]!;
          for (const [name, value] of Object.entries(params)) path = path.replace(`[${name}]`, value);
          // A terminal signs this very request (method, path and query); a kiosk presents its cookie.
          if (kind === "terminal")
            Object.assign(
              credentials,
              signTerminalRequest(
                await terminalOf(w, "approved"),
                key.split(" ")[0]!,
                `${path}${query ? `?${query}` : ""}`,
              ),
            );
          if (kind === "kiosk") credentials.cookie = await kioskCookieOf(w);
          const req = requestWith(credentials, `http://portal${path}${query ? `?${query}` : ""}`, {
            method: key.split(" ")[0],
            ...init,
            ...(init.body ? { duplex: "half" } : {}),
          } as RequestInit);
          const res = await handler(req, { params: Promise.resolve(params) });
          await res.body?.cancel();
          const want = expectedRouteOutcome(meta, kind);
          expect(res.status, `${key} as ${kind}`).toBe(HTTP_STATUS[want] ?? fixture.okStatus);
        });
      }
    });
  }
});

// ---- the console WebSocket: a ticket per caller, checked again by authorize() when it connects ---------

describe("RBAC matrix over the console WebSocket", () => {
  let portal: Server;
  let portalUrl: string;
  let vm: string;

  beforeAll(async () => {
    // A console bridge address nobody listens on: an admitted caller gets as far as the host (502).
    await w.s.db
      .update(hosts)
      // Up for as long as this file runs (the matrix above takes longer than a heartbeat interval).
      .set({
        consoleUrl: "ws://127.0.0.1:9",
        lastHeartbeatAt: new Date(Date.now() + 3600_000),
      })
      .where(eq(hosts.id, w.hostId));
    vm = await w.instanceOfA("RUNNING");
    const proxy = createConsoleProxy({
      db: w.s.db,
      redis: w.s.redis,
      redisPrefix: w.s.prefix,
      hostDownAfterSeconds: 30,
      signingKey: deriveConsoleSigningKey(SECRET),
      ticketKey: getServices().settings.consoleTicketKey,
      allowedOrigins: [],
      idleTimeoutMs: 60_000,
      maxPerUser: 50,
      maxPerProcess: 500,
      log: pino({ level: "silent" }),
    });
    portal = createServer();
    portal.on("upgrade", (req, socket, head) => proxy.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => portal.listen(0, "127.0.0.1", () => r()));
    portalUrl = `ws://127.0.0.1:${(portal.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => (portal ? portal.close(() => r()) : r())));

  function connect(ticket: string): Promise<number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(
        `${portalUrl}/console/vnc/${vm}?ticket=${encodeURIComponent(ticket)}`,
        ["binary"],
        {
          origin: portalUrl.replace("ws", "http"),
        },
      );
      ws.once("open", () => {
        ws.close();
        resolve(101);
      });
      ws.once("unexpected-response", (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? -1);
      });
      ws.once("error", () => resolve(-1));
    });
  }

  for (const kind of HTTP_KINDS) {
    it(`as ${kind}`, async () => {
      if (kind === "terminal" || kind === "kiosk") {
        // A terminal's ticket (no student, or its kiosk's student) is good only for its lab's desktops:
        // the matrix's VM is none, so even a ticket the portal sealed for it is refused.
        const t = await terminalOf(w, "approved");
        const sealed = await storeConsoleTicket(
          { redis: w.s.redis, prefix: w.s.prefix, key: getServices().settings.consoleTicketKey },
          {
            userId: kind === "kiosk" ? w.targetUserA.id : null,
            instanceId: vm,
            kind: "vnc",
            terminalId: t.id,
          },
        );
        expect(await connect(sealed), `console as ${kind}`).toBe(403);
        return;
      }
      const account = kind === "host" || kind === "anonymous" ? undefined : w.accounts[kind];
      // A ticket bound to this caller's account, as if it had been issued: the WebSocket must decide
      // again from the account as it is now. Hosts and anonymous callers hold no ticket of anyone's.
      const ticket = account
        ? await storeConsoleTicket(
            { redis: w.s.redis, prefix: w.s.prefix, key: getServices().settings.consoleTicketKey },
            { userId: account.id, instanceId: vm, kind: "vnc" },
          )
        : randomBytes(32).toString("base64url");
      let want: number;
      if (!account) want = 401;
      // A ticket is bound to its user, not to a session: a disabled account is refused (403), a reset
      // password alone does not take back a ticket issued in the 30 s before it.
      else if (kind === "disabled") want = 403;
      else {
        // The revoked caller's account is a powerAdm of group A, unchanged but for its sessions.
        const [asKind, actor] =
          kind === "revokedSession"
            ? (["powerAdm", account] as const)
            : ([kind as ActorKind, w.actors[kind as ActorKind]!] as const);
        const outcome = expectedOutcome(permissionFor("consoles", "open"), asKind, actor, {
          targetsGroupA: true,
        });
        want = outcome === "ok" ? 502 : HTTP_STATUS[outcome]!;
      }
      expect(await connect(ticket), `console as ${kind}`).toBe(want);
    });
  }
});
