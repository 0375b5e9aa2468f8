// Issue 11 item 7: a revoked host's credentials are refused at once on every agent HTTP route (found on
// disk, so a new route is covered), and a rotation refuses the old secret just as fast. The queue half
// (the host's Redis user) is the HostChannelPort's: here it is only checked that the domain asks for it.
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostAuthHeader } from "@/agents/protocol";
import { hosts } from "@/db/schema";
import { sha256Hex } from "@/server/domain/hosts/host-secrets";
import { joinHost } from "@/server/domain/hosts/join-host";
import { startController } from "@/server/queue/controller";
import { createQueueConnection } from "@/server/queue/redis";
import type { Actor } from "@/server/domain/context";
import {
  callerFor,
  hostFacts,
  recordingJobs,
  makeUser,
  openTestServices,
  testSettings,
  type TestServices,
} from "@/server/testing/fixtures";
import { callAgentRoute, findAgentRoutes, type AgentRoute } from "./agent-routes";
import { hostWithCredential, recordingHostChannel } from "./host-credential";

let s: TestServices;
let admin: Actor;
let routes: AgentRoute[];

beforeAll(async () => {
  s = openTestServices();
  admin = await makeUser(s, "superAdm");
  routes = await findAgentRoutes();
});
afterAll(async () => {
  await s?.close();
});

/** Status of every agent route for this credential, by route. */
async function statuses(authorization: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of routes) out[r.key] = (await callAgentRoute(r, authorization)).status;
  return out;
}

const hostRoutes = () => routes.filter((r) => r.handler.meta && "credentials" in r.handler.meta);

describe("rogue-host: revoked and rotated host credentials", () => {
  it("finds the agent routes, and each one either takes a host credential or is the join (token) route", () => {
    expect(routes.map((r) => r.key)).toEqual(
      expect.arrayContaining([
        "GET /api/v1/agent/console-key",
        "GET /api/v1/agent/images/[id]/content",
        "POST /api/v1/agent/join",
        "PUT /api/v1/agent/captures/[taskId]",
      ]),
    );
    for (const r of routes) {
      const meta = r.handler.meta;
      expect(meta && "credentials" in meta, `${r.key} is not built with defineHandler`).toBe(true);
      if (meta && "credentials" in meta)
        expect(meta.credentials, r.key).toBe(r.key === "POST /api/v1/agent/join" ? "none" : "host");
    }
    expect(hostRoutes().length).toBe(routes.length);
  });

  it("refuses a revoked host's credentials at once on every agent route (401), and closes its channel", async () => {
    const channel = recordingHostChannel();
    const host = await hostWithCredential(s);
    const before = await statuses(host.authorization);
    for (const r of routes)
      if (r.handler.meta && "credentials" in r.handler.meta && r.handler.meta.credentials === "host")
        expect(before[r.key], `${r.key} before the revocation`).not.toBe(401);

    const view = await callerFor(s, admin, undefined, { hostChannel: channel }).hosts.revoke({
      id: host.hostId,
    });
    expect(view.revokedAt).toBeInstanceOf(Date);
    expect(channel.calls).toEqual([{ op: "revoke", hostId: host.hostId }]);

    // The very next request, no waiting: nothing caches a host's credential.
    const after = await statuses(host.authorization);
    for (const r of routes) expect(after[r.key], `${r.key} after the revocation`).toBe(401);
  });

  it("keeps refusing a revoked host even if its old secret hash were put back by hand", async () => {
    const host = await hostWithCredential(s);
    await callerFor(s, admin, undefined, { hostChannel: recordingHostChannel() }).hosts.revoke({
      id: host.hostId,
    });
    await s.db
      .update(hosts)
      .set({ secretHash: sha256Hex(host.secret) })
      .where(eq(hosts.id, host.hostId));
    for (const [key, status] of Object.entries(await statuses(host.authorization)))
      expect(status, key).toBe(401);
  });

  it("a disabled host still authenticates (it runs what it has; it only gets no new work)", async () => {
    const host = await hostWithCredential(s, { enabled: false });
    const consoleKey = routes.find((r) => r.key === "GET /api/v1/agent/console-key")!;
    expect((await callAgentRoute(consoleKey, host.authorization)).status).toBe(200);
  });

  it("rotation refuses the old secret at once; the re-join token gives the same host a new one, once", async () => {
    const channel = recordingHostChannel();
    const host = await hostWithCredential(s);
    const caller = callerFor(s, admin, undefined, { hostChannel: channel });
    const token = await caller.hosts.rotateCredentials({ id: host.hostId });
    expect(token.command).toContain(`--token=${token.token}`);
    expect(channel.calls.at(-1)).toEqual({ op: "revoke", hostId: host.hostId });
    for (const [key, status] of Object.entries(await statuses(host.authorization)))
      expect(status, `${key} with the rotated-out secret`).toBe(401);

    const deps = { db: s.db, settings: testSettings(), hostChannel: channel };
    const joined = await joinHost(deps, {
      token: token.token,
      name: "ignored-name",
      facts: hostFacts(),
      consoleUrl: "ws://127.0.0.1:7901",
    });
    expect(joined.hostId).toBe(host.hostId);
    expect(joined.hostSecret).not.toBe(host.secret);
    expect(channel.calls.at(-1)).toEqual({
      op: "grant",
      hostId: host.hostId,
      secretHash: sha256Hex(joined.hostSecret),
    });
    const [row] = await s.db.select().from(hosts).where(eq(hosts.id, host.hostId));
    expect(row!.name).not.toBe("ignored-name");

    const fresh = hostAuthHeader(host.hostId, joined.hostSecret);
    const consoleKey = routes.find((r) => r.key === "GET /api/v1/agent/console-key")!;
    expect((await callAgentRoute(consoleKey, fresh)).status).toBe(200);
    expect((await callAgentRoute(consoleKey, host.authorization)).status).toBe(401);
    await expect(
      joinHost(deps, {
        token: token.token,
        name: "again",
        facts: hostFacts(),
        consoleUrl: "ws://127.0.0.1:7901",
      }),
    ).rejects.toMatchObject({ kind: "UNAUTHORIZED" });
  });

  it("re-joining with a rotation token brings a revoked host back with new credentials", async () => {
    const channel = recordingHostChannel();
    const host = await hostWithCredential(s);
    const caller = callerFor(s, admin, undefined, { hostChannel: channel });
    await caller.hosts.revoke({ id: host.hostId });
    const token = await caller.hosts.rotateCredentials({ id: host.hostId });
    const joined = await joinHost(
      { db: s.db, settings: testSettings(), hostChannel: channel },
      { token: token.token, name: "back", facts: hostFacts(), consoleUrl: "ws://127.0.0.1:7901" },
    );
    const [row] = await s.db.select().from(hosts).where(eq(hosts.id, host.hostId));
    expect(row!.revokedAt).toBeNull();
    const consoleKey = routes.find((r) => r.key === "GET /api/v1/agent/console-key")!;
    expect((await callAgentRoute(consoleKey, hostAuthHeader(host.hostId, joined.hostSecret))).status).toBe(
      200,
    );
  });

  it("a revocation also cancels a re-join token issued before it", async () => {
    const channel = recordingHostChannel();
    const host = await hostWithCredential(s);
    const caller = callerFor(s, admin, undefined, { hostChannel: channel });
    const token = await caller.hosts.rotateCredentials({ id: host.hostId });
    await caller.hosts.revoke({ id: host.hostId });
    await expect(
      joinHost(
        { db: s.db, settings: testSettings(), hostChannel: channel },
        { token: token.token, name: "thief", facts: hostFacts(), consoleUrl: "ws://127.0.0.1:7901" },
      ),
    ).rejects.toMatchObject({ kind: "UNAUTHORIZED" });
    const [row] = await s.db.select().from(hosts).where(eq(hosts.id, host.hostId));
    expect(row!.revokedAt).not.toBeNull();
  });

  it("the portal's event controller gives a revoked host no events worker and no Redis user", async () => {
    const live = await hostWithCredential(s);
    const gone = await hostWithCredential(s);
    await callerFor(s, admin, undefined, { hostChannel: recordingHostChannel() }).hosts.revoke({
      id: gone.hostId,
    });
    const synced: string[][] = [];
    const connection = createQueueConnection(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    const controller = startController({
      db: s.db,
      jobs: recordingJobs(),
      connection,
      prefix: s.prefix,
      log: pino({ level: "silent" }),
      hostChannel: { sync: async (rows) => void synced.push(rows.map((r) => r.id)) },
      refreshMs: 3_600_000,
    });
    try {
      await controller.refresh();
      expect(controller.listening()).toContain(live.hostId);
      expect(controller.listening()).not.toContain(gone.hostId);
      expect(synced.at(-1)).toContain(live.hostId);
      expect(synced.at(-1)).not.toContain(gone.hostId);
    } finally {
      await controller.close();
      connection.disconnect();
    }
  });
});
