// Issue 14's review: a lab PC whose agent runs in local mode but joined outside a local desktops cluster
// (a token for no cluster, or for a desktops one) got servers and remote desktops from the scheduler,
// on the screen and memory of whoever sits at it. The agent now says "local mode" in its facts (join and
// heartbeats), and the scheduler places nothing on such a host, whatever its cluster.
// Every test restricts its group's catalogue to the hosts it made, so the run's other hosts never count.
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heartbeatEvent, type HostFacts } from "@/agents/protocol";
import type { ClusterKind } from "@/common/clusters";
import type { InstanceKind } from "@/common/instance-states";
import { hosts, instances } from "@/db/schema";
import { DomainError } from "@/server/domain/errors";
import { createInstances } from "@/server/domain/provisioning/create-instances";
import { applyAgentEvent } from "@/server/events/agent-events";
import {
  allowInCatalogue,
  contextFor,
  hostFacts,
  makeCluster,
  makeHost,
  makeLaunchGroup,
  makeUser,
  openTestServices,
  recordingJobs,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(() => s?.close());

/** What the agent sends: a heartbeat with its facts (local mode or not). */
const beat = (hostId: string, facts: HostFacts) =>
  applyAgentEvent(
    { db: s.db, jobs: recordingJobs() },
    heartbeatEvent.parse({ type: "host.heartbeat", hostId, at: new Date(), vms: [], facts }),
  );

/** Hosts (in a cluster or none, local mode or not), a group whose catalogue lists exactly them, a launcher. */
async function site(specs: { cluster: ClusterKind | null; localMode: boolean; memoryMiB: number }[]) {
  const launch = await makeLaunchGroup(s);
  const hostIds: string[] = [];
  for (const sp of specs) {
    const id = await makeHost(s, { cpuCount: 8, memoryMiB: sp.memoryMiB });
    if (sp.cluster)
      await s.db
        .update(hosts)
        .set({ clusterId: await makeCluster(s, sp.cluster) })
        .where(eq(hosts.id, id));
    await beat(id, hostFacts({ cpuCount: 8, memoryMiB: sp.memoryMiB, localMode: sp.localMode }));
    hostIds.push(id);
  }
  await allowInCatalogue(s, launch.groupId, { hostIds });
  const teacher = await makeUser(s, "powerUser", [launch.groupId]);
  const flavorId = await launch.flavor({ vcpus: 1, memoryMiB: 256 });
  const imageId = await launch.image();
  const ctx = contextFor(s, teacher, undefined, { jobs: recordingJobs() });
  const place = (n: number, kind: InstanceKind = "server") =>
    createInstances(ctx, {
      imageId,
      flavorId,
      nics: [],
      kind,
      instances: Array.from({ length: n }, (_, i) => ({ name: `${uniqueName(kind)}-${i}` })),
    });
  return { hostIds, place };
}

const liveOn = (hostIds: string[]) =>
  s.db.select({ id: instances.id }).from(instances).where(inArray(instances.hostId, hostIds));

describe("a host whose agent reports local mode", () => {
  it("gets no servers and no remote desktops, in no cluster or a desktops one, though it has the most room", async () => {
    // The local-mode PCs are the emptiest: spread would pick them first.
    const { hostIds, place } = await site([
      { cluster: null, localMode: false, memoryMiB: 4096 },
      { cluster: null, localMode: true, memoryMiB: 32768 },
      { cluster: "desktops", localMode: true, memoryMiB: 32768 },
    ]);
    const [server, pcNoCluster, pcInDesktops] = hostIds as [string, string, string];
    const servers = await place(6, "server");
    const desktops = await place(4, "desktop");
    const admin = await place(1, "admin");
    for (const m of [...servers, ...desktops, ...admin]) expect(m.host?.id).toBe(server);
    expect(await liveOn([pcNoCluster, pcInDesktops])).toEqual([]);
  });

  it("is refused with its own reason when it is the only host left", async () => {
    const { hostIds, place } = await site([{ cluster: null, localMode: true, memoryMiB: 32768 }]);
    const err = (await place(1, "desktop").catch((e: unknown) => e)) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe("scheduler.noHostFits");
    // The run's other hosts are outside the group's catalogue: they say so; ours says local mode.
    const ours = err.details!.filter((d) => d.message.code !== "classes.hostNotAllowed");
    expect(ours.map((d) => d.message.code)).toEqual(["scheduler.localModeHost"]);
    expect(await liveOn(hostIds)).toEqual([]);
  });

  it("takes work again once its agent reports it no longer runs in local mode", async () => {
    const { hostIds, place } = await site([{ cluster: null, localMode: true, memoryMiB: 8192 }]);
    await expect(place(1)).rejects.toBeInstanceOf(DomainError);
    await beat(hostIds[0]!, hostFacts({ cpuCount: 8, memoryMiB: 8192 }));
    expect((await place(1))[0]!.host?.id).toBe(hostIds[0]);
  });

  it("keeps local mode from facts refused as implausible (it only takes work away)", async () => {
    const { hostIds, place } = await site([{ cluster: null, localMode: false, memoryMiB: 8192 }]);
    await beat(hostIds[0]!, hostFacts({ cpuCount: 100_000, localMode: true }));
    const [row] = await s.db.select().from(hosts).where(eq(hosts.id, hostIds[0]!));
    expect(row!.factsRefused).not.toBeNull();
    expect(row!.cpuCount).toBe(8); // the good facts stay…
    expect(row!.facts.localMode).toBe(true); // …and local mode is taken
    await expect(place(1)).rejects.toBeInstanceOf(DomainError);
  });
});
