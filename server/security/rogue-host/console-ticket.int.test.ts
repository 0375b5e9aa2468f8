// Issue 11, item 4: console tickets lived in Redis as plain JSON, so anyone who could write to Redis
// (every host, before per-host ACLs) opened a console as any user. Now a ticket counts only if its
// record carries a MAC made with a key only the portal derives (console-tickets.ts).
import { createHash, createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleVerifyKeyOf } from "@/server/console/console-key";
import { createConsoleTicket, deriveConsoleTicketKey } from "@/server/domain/consoles/console-tickets";
import { issueJoinToken, joinHost } from "@/server/domain/hosts/join-host";
import { createHostChannel } from "@/server/queue/host-channel";
import {
  contextFor,
  hostFacts,
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  testSettings,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { PORTAL_SECRET, echo, pinConsole, startFakeAgent, startPortal } from "./console-harness";

let s: TestServices;
let hostId: string;
let agent: Awaited<ReturnType<typeof startFakeAgent>>;
let portal: Awaited<ReturnType<typeof startPortal>>;
let ids: { flavorId: number; imageId: string };

beforeAll(async () => {
  s = openTestServices();
  hostId = await makeHost(s);
  agent = await startFakeAgent(() => hostId);
  await pinConsole(s, hostId, agent.url);
  ids = { flavorId: await makeFlavor(s), imageId: await makeImageRow(s) };
  portal = await startPortal(s);
});
afterAll(async () => {
  await portal?.close();
  await agent?.close();
  await s.close();
});

const vmOf = (ownerId: number) =>
  makeInstanceRow(s, { ownerId, groupId: null, hostId, ...ids, state: "RUNNING" });
const redisKeyOf = (ticket: string) =>
  `${s.prefix}:console-ticket:${createHash("sha256").update(ticket).digest("hex")}`;
const pathOf = (instanceId: string) => `/console/vnc/${instanceId}`;

describe("rogue-host: console tickets", () => {
  it("a real ticket still opens the console once (the control case)", async () => {
    const u = await makeUser(s, "user");
    const t = await createConsoleTicket(contextFor(s, u), { instanceId: await vmOf(u.id), kind: "vnc" });
    const before = agent.connections;
    const a = await portal.open(t.path, t.ticket);
    expect(a.ws).toBeDefined();
    expect(await echo(a.ws!, "typed by the owner")).toBe("typed by the owner");
    a.ws!.close();
    expect(agent.connections).toBe(before + 1);
  });

  it("a ticket written straight into Redis opens no console: not the old plain JSON, not a guessed MAC", async () => {
    const victim = await makeUser(s, "user");
    const vm = await vmOf(victim.id);
    const claims = { userId: victim.id, instanceId: vm, kind: "vnc" };
    const forgeries = [
      claims, // what the portal used to store
      { ...claims, exp: Date.now() + 30_000, mac: randomBytes(32).toString("base64url") },
      // A MAC made with what a host knows: its own secret, the grant verify key it is handed.
      {
        ...claims,
        exp: Date.now() + 30_000,
        mac: createHmac("sha256", consoleVerifyKeyOf(PORTAL_SECRET)).update("x").digest("base64url"),
      },
    ];
    const before = agent.connections;
    for (const record of forgeries) {
      const ticket = randomBytes(32).toString("base64url");
      await s.redis.set(redisKeyOf(ticket), JSON.stringify(record), "PX", 30_000);
      const a = await portal.open(pathOf(vm), ticket);
      expect(a.status).toBe(401);
    }
    expect(agent.connections).toBe(before);
  });

  it("a MAC computed the portal's way but with another key is refused", async () => {
    const victim = await makeUser(s, "user");
    const vm = await vmOf(victim.id);
    const ticket = randomBytes(32).toString("base64url");
    const hash = createHash("sha256").update(ticket).digest("hex");
    const exp = Date.now() + 30_000;
    const wrongKey = deriveConsoleTicketKey("not-the-portal-secret-not-the-portal-secret");
    const mac = createHmac("sha256", wrongKey)
      .update(["console-ticket-v1", hash, victim.id, vm, "vnc", exp].join("\n"))
      .digest("base64url");
    await s.redis.set(
      redisKeyOf(ticket),
      JSON.stringify({ userId: victim.id, instanceId: vm, kind: "vnc", exp, mac }),
    );
    const before = agent.connections;
    expect((await portal.open(pathOf(vm), ticket)).status).toBe(401);
    expect(agent.connections).toBe(before);
  });

  it("a genuine record copied under a ticket the attacker knows is refused (the MAC names its ticket)", async () => {
    const victim = await makeUser(s, "user");
    const vm = await vmOf(victim.id);
    const real = await createConsoleTicket(contextFor(s, victim), { instanceId: vm, kind: "vnc" });
    const record = await s.redis.get(redisKeyOf(real.ticket));
    expect(record).toBeTruthy();
    const mine = randomBytes(32).toString("base64url");
    await s.redis.set(redisKeyOf(mine), record!, "PX", 30_000);
    const before = agent.connections;
    expect((await portal.open(pathOf(vm), mine)).status).toBe(401);
    expect(agent.connections).toBe(before);
  });

  it("a ticket kept in Redis past its expiry (TTL removed) is refused", async () => {
    const u = await makeUser(s, "user");
    const t = await createConsoleTicket(
      contextFor(s, u),
      { instanceId: await vmOf(u.id), kind: "vnc" },
      { ttlMs: 150 },
    );
    await s.redis.persist(redisKeyOf(t.ticket));
    await new Promise((r) => setTimeout(r, 300));
    expect(await s.redis.exists(redisKeyOf(t.ticket))).toBe(1);
    const before = agent.connections;
    expect((await portal.open(t.path, t.ticket)).status).toBe(401);
    expect(agent.connections).toBe(before);
  });

  it("nothing a host is given holds the portal secret or the ticket key", async () => {
    const secret = process.env.NEXTAUTH_SECRET!;
    const channel = createHostChannel(s.redis, s.prefix);
    const { token } = await issueJoinToken(s.db, 600);
    const answer = await joinHost(
      { db: s.db, settings: testSettings(), hostChannel: channel },
      { token, name: uniqueName("rogue"), facts: hostFacts(), consoleUrl: "ws://127.0.0.1:7901" },
    );
    // What a host ever receives: its join answer and the grant verify key (a public key).
    const given = JSON.stringify(answer) + consoleVerifyKeyOf(secret);
    const ticketKey = testSettings().consoleTicketKey;
    for (const held of [secret, ticketKey.toString("hex"), ticketKey.toString("base64url")])
      expect(given).not.toContain(held);
    await channel.revoke(answer.hostId);
  });
});
