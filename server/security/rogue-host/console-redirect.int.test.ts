// Issue 11, item 5: the console proxy connected wherever a host's heartbeat said its console was, so a
// forged heartbeat redirected consoles (keystrokes, grants) to an attacker, the portal fetched any
// host:port and showed the first line of its body, and failed connects leaked console slots. Now the
// address is pinned at join (hosts.console_url), only a superAdm moves it, and every failure is one
// generic sentence that gives the slot back.
import type { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentEventSchema } from "@/agents/protocol";
import { hosts } from "@/db/schema";
import { createConsoleTicket } from "@/server/domain/consoles/console-tickets";
import { applyAgentEvent } from "@/server/events/agent-events";
import {
  callerFor,
  contextFor,
  hostFacts,
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";
import {
  echo,
  pinConsole,
  startBlackHole,
  startFakeAgent,
  startPlainHttp,
  startPortal,
} from "./console-harness";

let s: TestServices;
let hostId: string;
let pinned: Awaited<ReturnType<typeof startFakeAgent>>;
let attacker: Awaited<ReturnType<typeof startFakeAgent>>;
let portal: Awaited<ReturnType<typeof startPortal>>;
let ids: { flavorId: number; imageId: string };

beforeAll(async () => {
  s = openTestServices();
  hostId = await makeHost(s);
  // Both check grants for this host: the attacker's listener would accept a redirected console.
  pinned = await startFakeAgent(() => hostId);
  attacker = await startFakeAgent(() => hostId);
  await pinConsole(s, hostId, pinned.url);
  ids = { flavorId: await makeFlavor(s), imageId: await makeImageRow(s) };
  portal = await startPortal(s);
});
afterAll(async () => {
  await portal?.close();
  await pinned?.close();
  await attacker?.close();
  await s.close();
});

const vmOf = (ownerId: number) =>
  makeInstanceRow(s, { ownerId, groupId: null, hostId, ...ids, state: "RUNNING" });
const hostRow = async () => (await s.db.select().from(hosts).where(eq(hosts.id, hostId)))[0]!;
async function ticketFor(u: Awaited<ReturnType<typeof makeUser>>, vm?: string) {
  return createConsoleTicket(contextFor(s, u), { instanceId: vm ?? (await vmOf(u.id)), kind: "vnc" });
}

/** A heartbeat as the host's events queue would deliver it, through the controller's own parsing. */
async function forgeHeartbeat(consoleUrl: string) {
  const raw = {
    type: "host.heartbeat",
    hostId,
    at: new Date().toISOString(),
    startup: true,
    facts: { ...hostFacts(), consoleUrl },
    vms: [],
  };
  await applyAgentEvent({ db: s.db, jobs: recordingJobs() }, agentEventSchema.parse(raw));
}

describe("rogue-host: console address", () => {
  it("a forged heartbeat with another console address changes nothing: the row, and where consoles go", async () => {
    const before = await hostRow();
    await forgeHeartbeat(attacker.url);
    const after = await hostRow();
    expect(after.consoleUrl).toBe(pinned.url);
    expect(after.consoleUrl).toBe(before.consoleUrl);
    expect(JSON.stringify(after.facts)).not.toContain(attacker.url);

    const u = await makeUser(s, "user");
    const t = await ticketFor(u);
    const [toPinned, toAttacker] = [pinned.connections, attacker.connections];
    const a = await portal.open(t.path, t.ticket);
    expect(a.ws).toBeDefined();
    expect(await echo(a.ws!, "password123")).toBe("password123");
    a.ws!.close();
    expect(pinned.connections).toBe(toPinned + 1);
    expect(attacker.connections).toBe(toAttacker);
  });

  it("only a superAdm moves the address, only to ws(s)://host:port, and the change takes effect", async () => {
    const powerAdm = await makeUser(s, "powerAdm");
    const refused = await callerFor(s, powerAdm)
      .hosts.setConsoleUrl({ id: hostId, consoleUrl: attacker.url })
      .catch((e: TRPCError) => e);
    expect((refused as TRPCError).code).toBe("FORBIDDEN");

    const admin = callerFor(s, await makeUser(s, "superAdm"));
    const port = new URL(attacker.url).port;
    for (const bad of [
      `http://127.0.0.1:${port}`,
      `ws://127.0.0.1:${port}/elsewhere`,
      `ws://user:pw@127.0.0.1:${port}`,
      `ws://127.0.0.1:${port}?x=1`,
      `ws://127.0.0.1:${port}#x`,
      "ws://127.0.0.1",
      "ws://127.0.0.1:0",
      "ws://127.0.0.1:70000",
      "ws://exa mple:1",
    ]) {
      const err = await admin.hosts.setConsoleUrl({ id: hostId, consoleUrl: bad }).catch((e: TRPCError) => e);
      expect((err as TRPCError).code, bad).toBe("BAD_REQUEST");
    }
    expect((await hostRow()).consoleUrl).toBe(pinned.url);

    const view = await admin.hosts.setConsoleUrl({ id: hostId, consoleUrl: attacker.url });
    expect(view.consoleUrl).toBe(attacker.url);
    expect((await admin.hosts.list()).find((h) => h.id === hostId)?.consoleUrl).toBe(attacker.url);
    const u = await makeUser(s, "user");
    const t = await ticketFor(u);
    const before = attacker.connections;
    const a = await portal.open(t.path, t.ticket);
    expect(a.ws).toBeDefined();
    a.ws!.close();
    expect(attacker.connections).toBe(before + 1);
    await admin.hosts.setConsoleUrl({ id: hostId, consoleUrl: pinned.url });
  });

  it("an address that is no agent (SSRF): the user reads one generic sentence, never the upstream's body", async () => {
    const secretBody = "INTERNAL-ADMIN-PAGE root:x:0:0 do-not-show";
    const internal = await startPlainHttp({ status: 200, body: `${secretBody}\nmore` });
    // Even dressed as an agent's "busy" refusal, the body stays out of the answer.
    const busyLike = await startPlainHttp({
      status: 409,
      body: `${secretBody}\n`,
      headers: { "x-educloud-console-refusal": "serial-busy" },
    });
    const u = await makeUser(s, "user");
    try {
      await pinConsole(s, hostId, internal.url);
      const first = await ticketFor(u);
      const a = await portal.open(first.path, first.ticket);
      expect(internal.requests).toBe(1); // it was reached: the point is what comes back
      expect(a.status).toBe(502);
      expect(a.body).not.toContain("INTERNAL-ADMIN-PAGE");
      expect(JSON.parse(a.body!)).toMatchObject({ serverMessage: { code: "consoles.unavailable" } });

      await pinConsole(s, hostId, busyLike.url);
      const t = await ticketFor(u);
      const b = await portal.open(t.path, t.ticket);
      expect(b.status).toBe(409);
      expect(b.body).not.toContain("INTERNAL-ADMIN-PAGE");
      expect(JSON.parse(b.body!)).toMatchObject({ serverMessage: { code: "consoles.serialBusy" } });
    } finally {
      await pinConsole(s, hostId, pinned.url);
      await internal.close();
      await busyLike.close();
    }
  });

  it("users never see the address: not in their instances, tickets or errors", async () => {
    const u = await makeUser(s, "user");
    const vm = await vmOf(u.id);
    const caller = callerFor(s, u);
    const seen = JSON.stringify([
      await caller.instances.list({}),
      await caller.instances.get({ id: vm }),
      await caller.consoles.createTicket({ instanceId: vm, kind: "vnc" }),
    ]);
    expect(seen).not.toContain(new URL(pinned.url).host); // 127.0.0.1:<port>
    const err = await caller.hosts.list().catch((e: TRPCError) => e);
    expect((err as TRPCError).code).toBe("FORBIDDEN");
    // A refusal of the host's side names no address either.
    await pinConsole(s, hostId, "ws://127.0.0.1:1");
    try {
      const t = await ticketFor(u, vm);
      const a = await portal.open(t.path, t.ticket);
      expect(a.status).toBe(502);
      expect(a.body).not.toContain("127.0.0.1");
    } finally {
      await pinConsole(s, hostId, pinned.url);
    }
  });

  it("20 failed attempts (malformed, unreachable, hung up) leave the user able to open a console", async () => {
    const u = await makeUser(s, "user");
    const vm = await vmOf(u.id);
    const hole = await startBlackHole();
    try {
      // Malformed addresses an operator's SQL or an old row might hold; the proxy checks before it connects.
      for (const bad of ["ws://127.0.0.1:1/x?y", "not a url", "ws://[::1", "ws://127.0.0.1:99999"]) {
        await pinConsole(s, hostId, bad);
        for (let i = 0; i < 3; i++) {
          const t = await ticketFor(u, vm);
          expect((await portal.open(t.path, t.ticket)).status).toBe(502);
        }
      }
      // Nobody listening.
      await pinConsole(s, hostId, "ws://127.0.0.1:1");
      for (let i = 0; i < 4; i++) {
        const t = await ticketFor(u, vm);
        expect((await portal.open(t.path, t.ticket)).status).toBe(502);
      }
      // A host that never answers, and a browser that gives up first.
      await pinConsole(s, hostId, hole.url);
      for (let i = 0; i < 4; i++) {
        const t = await ticketFor(u, vm);
        await portal.hangUp(t.path, t.ticket, 300);
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(portal.proxy.openSessions()).toBe(0);

      await pinConsole(s, hostId, pinned.url);
      const open = [];
      for (let i = 0; i < 4; i++) {
        const t = await ticketFor(u, vm);
        const a = await portal.open(t.path, t.ticket);
        expect(a.ws, `console ${i + 1} of the 4 allowed`).toBeDefined();
        open.push(a.ws!);
      }
      for (const ws of open) ws.close();
    } finally {
      await pinConsole(s, hostId, pinned.url);
      await hole.close();
    }
  });

  it("a host that hangs the handshake times out, answers generically and gives the slot back", async () => {
    const u = await makeUser(s, "user");
    const hole = await startBlackHole();
    try {
      await pinConsole(s, hostId, hole.url);
      const t = await ticketFor(u);
      const a = await portal.open(t.path, t.ticket);
      expect(a.status).toBe(502);
      expect(JSON.parse(a.body!)).toMatchObject({ serverMessage: { code: "consoles.unavailable" } });
      expect(portal.proxy.openSessions()).toBe(0);
    } finally {
      await pinConsole(s, hostId, pinned.url);
      await hole.close();
    }
  }, 15_000);

  it("a revoked host gets no console, not even with a ticket issued before the revocation", async () => {
    const u = await makeUser(s, "user");
    const t = await ticketFor(u);
    const before = pinned.connections;
    await s.db.update(hosts).set({ revokedAt: new Date() }).where(eq(hosts.id, hostId));
    try {
      const r = await portal.open(t.path, t.ticket);
      expect(r.ws).toBeUndefined();
      expect(pinned.connections).toBe(before);
    } finally {
      await s.db.update(hosts).set({ revokedAt: null }).where(eq(hosts.id, hostId));
    }
  });
});
