// The agent's join sends the console address it will listen at; the portal's real join route stores
// it as the host's pinned address (and keeps none in the facts), and the agent keeps it for `run`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostJoinTokens, hosts } from "@/db/schema";
import { sha256Hex } from "@/server/domain/hosts/host-secrets";
import { issueJoinToken } from "@/server/domain/hosts/join-host";
import { createHostChannel } from "@/server/queue/host-channel";
import { hostFacts, openTestServices, uniqueName, type TestServices } from "@/server/testing/fixtures";
import { serveRoute } from "@/server/testing/serve-route";
import { createHostDrivers } from "../drivers/create-host-drivers";
import { joinPortal } from "../join-portal";
import { loadPinnedConsole } from "./pinned-console";

const joinRoute = await import("@/app/api/v1/agent/join/route");

let s: TestServices;
let portal: Awaited<ReturnType<typeof serveRoute>>;
let stateDir: string;
beforeAll(async () => {
  s = openTestServices();
  portal = await serveRoute("/api/v1/agent/join", joinRoute.POST as never);
  stateDir = await mkdtemp(join(tmpdir(), "join-pins-"));
});
afterAll(async () => {
  await portal?.close();
  await rm(stateDir, { recursive: true, force: true });
  await s.close();
});

describe("join pins the console address", () => {
  it("the host row holds the URL the agent chose at join, and the agent keeps where it listens", async () => {
    const { token } = await issueJoinToken(s.db, 600);
    const creds = await joinPortal({
      portal: portal.url,
      token,
      name: uniqueName("pin"),
      stateDir,
      drivers: createHostDrivers({ stateDir }),
      console: { listen: { host: "127.0.0.1", port: 0 } },
    });
    const kept = await loadPinnedConsole(stateDir);
    expect(kept?.listen.port).toBeGreaterThan(0);
    const [row] = await s.db.select().from(hosts).where(eq(hosts.id, creds.hostId));
    expect(row!.consoleUrl).toBe(`ws://127.0.0.1:${kept!.listen.port}`);
    expect(kept!.url).toBe(row!.consoleUrl);
    expect(row!.facts).not.toHaveProperty("consoleUrl");
    await createHostChannel(s.redis, s.prefix).revoke(creds.hostId);
  });

  it("an address the portal would refuse stops the join before the token is spent", async () => {
    const { token } = await issueJoinToken(s.db, 600);
    const dir = await mkdtemp(join(tmpdir(), "join-pins-"));
    try {
      await expect(
        joinPortal({
          portal: portal.url,
          token,
          name: uniqueName("pin"),
          stateDir: dir,
          drivers: createHostDrivers({ stateDir: dir }),
          console: { listen: { host: "0.0.0.0", port: 7901 }, advertiseUrl: "ws://node7:7901/steal?x" },
        }),
      ).rejects.toThrow(/EDUCLOUD_AGENT_CONSOLE_URL/);
      // The portal refuses one too, should an agent skip its own check.
      const res = await fetch(`${portal.url}/api/v1/agent/join`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          token,
          name: uniqueName("pin"),
          facts: hostFacts(),
          consoleUrl: "ws://user:pw@node7:7901",
        }),
      });
      expect(res.status).toBe(400);
      const [tok] = await s.db
        .select()
        .from(hostJoinTokens)
        .where(eq(hostJoinTokens.tokenHash, sha256Hex(token)));
      expect(tok!.usedAt).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
