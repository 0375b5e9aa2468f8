// Issue 11 item 7: a host's facts decide placement, so a rogue host claiming a huge machine would attract
// every new VM (and its console). Implausible facts are refused — at join and in heartbeats — the row
// keeps its last good facts, and the admin sees what was refused on the Hosts page (hosts.list).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heartbeatEvent } from "@/agents/protocol";
import { hostJoinTokens, hosts } from "@/db/schema";
import type { Actor } from "@/server/domain/context";
import { FACT_BOUNDS } from "@/server/domain/hosts/facts-bounds";
import { sha256Hex } from "@/server/domain/hosts/host-secrets";
import { issueJoinToken, joinHost } from "@/server/domain/hosts/join-host";
import { applyAgentEvent } from "@/server/events/agent-events";
import {
  callerFor,
  hostFacts,
  makeHost,
  makeUser,
  openTestServices,
  recordingJobs,
  testSettings,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { recordingHostChannel } from "./host-credential";

let s: TestServices;
let admin: Actor;
beforeAll(async () => {
  s = openTestServices();
  admin = await makeUser(s, "superAdm");
});
afterAll(() => s?.close());

const TIB = 1024 ** 4;

async function beat(hostId: string, facts: ReturnType<typeof hostFacts>) {
  // Through the wire schema and the dispatcher, as the controller applies a host's events.
  await applyAgentEvent(
    { db: s.db, jobs: recordingJobs() },
    heartbeatEvent.parse({ type: "host.heartbeat", hostId, at: new Date(), vms: [], facts }),
  );
}

const rowOf = async (id: string) => (await s.db.select().from(hosts).where(eq(hosts.id, id)))[0]!;

describe("rogue-host: host facts outside plausible bounds", () => {
  it("a heartbeat claiming a huge machine changes nothing the scheduler reads, and the admin sees it", async () => {
    const hostId = await makeHost(s, { cpuCount: 4, memoryMiB: 8192 });
    const before = await rowOf(hostId);
    await new Promise((r) => setTimeout(r, 10));
    await beat(hostId, hostFacts({ cpuCount: 100_000, memoryMiB: 8192 }));

    const after = await rowOf(hostId);
    expect(after).toMatchObject({
      cpuCount: 4,
      memoryMiB: 8192,
      diskFreeBytes: before.diskFreeBytes,
      facts: before.facts,
    });
    // It is still alive (the beat counts), only its claim is not believed.
    expect(after.lastHeartbeatAt!.getTime()).toBeGreaterThan(before.lastHeartbeatAt!.getTime());

    const view = (await callerFor(s, admin).hosts.list()).find((h) => h.id === hostId)!;
    expect(view.capacity.vcpus).toBe(4 * testSettings().cpuOvercommit);
    expect(view.factsRefused).toMatchObject({
      message: {
        code: "hosts.implausibleFact",
        params: { field: "cpuCount", value: "100000", max: String(FACT_BOUNDS.cpuCount) },
      },
    });
    expect(view.factsRefused!.at).toBeInstanceOf(Date);
  });

  it("refuses 65 TiB of RAM and 2 PiB of disk; plausible facts are taken as before", async () => {
    const hostId = await makeHost(s, { cpuCount: 2, memoryMiB: 4096 });
    const diskBefore = (await rowOf(hostId)).diskFreeBytes;
    await beat(hostId, hostFacts({ memoryMiB: 65 * 1024 * 1024 }));
    expect((await rowOf(hostId)).memoryMiB).toBe(4096);
    expect((await rowOf(hostId)).factsRefused).toMatchObject({ params: { field: "memoryMiB" } });

    await beat(hostId, hostFacts({ diskFreeBytes: 2048 * TIB, diskTotalBytes: 2048 * TIB }));
    expect((await rowOf(hostId)).diskFreeBytes).toBe(diskBefore);
    expect((await rowOf(hostId)).factsRefused).toMatchObject({ params: { field: "diskFreeBytes" } });

    await beat(hostId, hostFacts({ cpuCount: 64, memoryMiB: 512 * 1024 }));
    expect(await rowOf(hostId)).toMatchObject({ cpuCount: 64, memoryMiB: 512 * 1024 });
  });

  it("a join with implausible facts is refused: no host is made and the token stays unused", async () => {
    const { token } = await issueJoinToken(s.db, 600);
    const name = uniqueName("huge");
    const channel = recordingHostChannel();
    await expect(
      joinHost(
        { db: s.db, settings: testSettings(), hostChannel: channel },
        { token, name, facts: hostFacts({ cpuCount: 4096 }), consoleUrl: "ws://127.0.0.1:7901" },
      ),
    ).rejects.toMatchObject({ kind: "INVALID", code: "hosts.implausibleFact" });
    expect(await s.db.select().from(hosts).where(eq(hosts.name, name))).toEqual([]);
    const [tok] = await s.db
      .select()
      .from(hostJoinTokens)
      .where(eq(hostJoinTokens.tokenHash, sha256Hex(token)));
    expect(tok!.usedAt).toBeNull();
    expect(channel.calls).toEqual([]);
  });
});
