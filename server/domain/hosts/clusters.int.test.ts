// Issue 14 (B2): hosts sorted into clusters by kind. The scheduler places servers only on hosts in no
// cluster or a "servers" one, desktops and admin mode only in no cluster or a "desktops" one, and nothing
// on "local" lab PCs; only superAdm sorts hosts; a join token decides a new host's cluster, the agent
// never does; a host moves only when nothing it runs is of the wrong kind.
// Every test restricts its group's catalogue to the hosts it made, so the run's other hosts never count.
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heartbeatEvent, joinRequestSchema } from "@/agents/protocol";
import type { ClusterKind } from "@/common/clusters";
import type { InstanceKind } from "@/common/instance-states";
import { hostJoinTokens, hosts, instances } from "@/db/schema";
import type { Actor } from "@/server/domain/context";
import { DomainError } from "@/server/domain/errors";
import { joinHost } from "@/server/domain/hosts/join-host";
import { createInstances } from "@/server/domain/provisioning/create-instances";
import { applyAgentEvent } from "@/server/events/agent-events";
import { recordingHostChannel } from "@/server/security/rogue-host/host-credential";
import {
  allowInCatalogue,
  callerFor,
  contextFor,
  hostFacts,
  makeCluster,
  makeHost,
  makeInstanceRow,
  makeLaunchGroup,
  makeUser,
  openTestServices,
  recordingJobs,
  testSettings,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";

let s: TestServices;
let admin: Actor;
beforeAll(async () => {
  s = openTestServices();
  admin = await makeUser(s, "superAdm");
});
afterAll(() => s?.close());

/** Hosts in the given clusters (null: none), a group whose catalogue lists exactly them, and a launcher. */
async function site(specs: { cluster: ClusterKind | null; memoryMiB?: number }[]) {
  const launch = await makeLaunchGroup(s);
  const hostIds: string[] = [];
  for (const sp of specs) {
    const id = await makeHost(s, { cpuCount: 8, memoryMiB: sp.memoryMiB ?? 2048 });
    if (sp.cluster)
      await s.db
        .update(hosts)
        .set({ clusterId: await makeCluster(s, sp.cluster) })
        .where(eq(hosts.id, id));
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
  return { hostIds, place, launch, teacher, flavorId, imageId };
}

const liveIn = async (hostIds: string[]) =>
  s.db
    .select({ id: instances.id, hostId: instances.hostId, kind: instances.kind })
    .from(instances)
    .where(inArray(instances.hostId, hostIds));

describe("placement honours cluster kinds", () => {
  it("servers go to servers-cluster hosts and hosts in no cluster, never to desktops or local hosts (a batch of 8)", async () => {
    // The desktops and local hosts are the emptiest (spread would pick them first): kind wins over room.
    const { hostIds, place } = await site([
      { cluster: "servers", memoryMiB: 1024 },
      { cluster: null, memoryMiB: 1024 },
      { cluster: "desktops", memoryMiB: 16384 },
      { cluster: "local", memoryMiB: 16384 },
    ]);
    const [servers, none, desktops, local] = hostIds as [string, string, string, string];
    const made = await place(8);
    expect(made).toHaveLength(8);
    const where = new Set(made.map((m) => m.host?.id));
    expect([...where].sort()).toEqual([servers, none].sort());
    expect(where.has(desktops)).toBe(false);
    expect(where.has(local)).toBe(false);

    // Both allowed hosts are full now (4 × 256 MiB each); the 16 GiB desktops and local hosts stay out,
    // and the refusal names each host's reason, the cluster's among them.
    const err = (await place(1).catch((e: unknown) => e)) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe("scheduler.noHostFits");
    const reasons = err.details!.map((d) => d.message.code);
    expect(reasons.filter((c) => c === "scheduler.wrongCluster")).toHaveLength(2);
    expect(reasons.filter((c) => c === "scheduler.notEnoughRam")).toHaveLength(2);
    expect((await liveIn([desktops, local])).length).toBe(0);
  });

  it("desktops and admin mode go to desktops-cluster hosts, never to a servers or local host", async () => {
    const { hostIds, place } = await site([
      { cluster: "servers", memoryMiB: 16384 },
      { cluster: "desktops", memoryMiB: 2048 },
      { cluster: "local", memoryMiB: 16384 },
    ]);
    const [servers, desktops, local] = hostIds as [string, string, string];
    const batch = await place(6, "desktop");
    expect(batch.every((d) => d.host?.id === desktops)).toBe(true);
    const adminMode = await place(1, "admin");
    expect(adminMode[0]!.host?.id).toBe(desktops);
    expect((await liveIn([servers, local])).length).toBe(0);
    // And a server in the same catalogue lands on the servers host, not on the desktops one.
    expect((await place(1, "server"))[0]!.host?.id).toBe(servers);
  });

  it("a batch of desktops that does not fit the desktops hosts is refused whole, though a servers host has room", async () => {
    const { hostIds, place } = await site([
      { cluster: "desktops", memoryMiB: 1024 },
      { cluster: "servers", memoryMiB: 16384 },
    ]);
    const err = (await place(5, "desktop").catch((e: unknown) => e)) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe("scheduler.batchNoHostFits");
    expect(err.params).toMatchObject({ placed: 4, total: 5 });
    expect(await liveIn(hostIds)).toEqual([]); // nothing of the batch was created
  });

  it("says there is no host of the right kind when every usable host is in another kind's cluster", async () => {
    const { place, hostIds } = await site([{ cluster: "servers" }, { cluster: "local" }]);
    const err = (await place(3, "desktop").catch((e: unknown) => e)) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({
      kind: "CONFLICT",
      code: "scheduler.noHostOfKind",
      params: { kind: "desktops" },
    });
    expect(err.message).toMatch(/No host takes remote desktops/);

    const desk = await site([{ cluster: "desktops" }, { cluster: "local" }]);
    const err2 = (await desk.place(1).catch((e: unknown) => e)) as DomainError;
    expect(err2).toMatchObject({ code: "scheduler.noHostOfKind", params: { kind: "servers" } });
    expect(await liveIn([...hostIds, ...desk.hostIds])).toEqual([]);
  });

  it("a one-host school without clusters places servers and desktops on the same host", async () => {
    const { hostIds, place } = await site([{ cluster: null }]);
    expect((await place(1, "server"))[0]!.host?.id).toBe(hostIds[0]);
    expect((await place(1, "desktop"))[0]!.host?.id).toBe(hostIds[0]);
  });

  it("a host moved to a desktops cluster while servers are being placed never ends up holding a server", async () => {
    // The move and the placements race on the host's usage row: whichever commits first, the others see
    // it. Five rounds, as the interleaving differs from one to the next.
    const superCaller = callerFor(s, admin);
    for (let round = 0; round < 5; round++) {
      const { hostIds, place } = await site([{ cluster: null, memoryMiB: 16384 }, { cluster: "servers" }]);
      const [flexible, servers] = hostIds as [string, string];
      const desktopsCluster = await makeCluster(s, "desktops");
      const results = await Promise.allSettled([
        place(4),
        superCaller.hosts.setCluster({ hostId: flexible, clusterId: desktopsCluster }),
        place(4),
      ]);
      const [host] = await s.db.select().from(hosts).where(eq(hosts.id, flexible));
      const serversThere = (await liveIn([flexible])).filter((i) => i.kind === "server");
      if (host!.clusterId === desktopsCluster) expect(serversThere).toEqual([]);
      else expect(results[1]!.status).toBe("rejected"); // refused: servers landed there first
      for (const i of await liveIn([servers])) expect(i.kind).toBe("server");
    }
  });
});

describe("moving hosts between clusters", () => {
  it("refuses a move while instances of the other kind live on the host, says how many, then allows it once they are gone", async () => {
    const { hostIds, teacher, launch, flavorId, imageId } = await site([{ cluster: null }]);
    const hostId = hostIds[0]!;
    const desktopsCluster = await makeCluster(s, "desktops");
    const serversCluster = await makeCluster(s, "servers");
    const ids = [];
    for (const state of ["RUNNING", "STOPPED"] as const)
      ids.push(
        await makeInstanceRow(s, {
          ownerId: teacher.id,
          groupId: launch.groupId,
          hostId,
          flavorId,
          imageId,
          state,
        }),
      );
    const caller = callerFor(s, admin);

    const err = await caller.hosts
      .setCluster({ hostId, clusterId: desktopsCluster })
      .catch((e: unknown) => e as { message: string; cause?: unknown });
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/runs 2 instances that a remote desktops cluster does not take/);
    expect((await s.db.select().from(hosts).where(eq(hosts.id, hostId)))[0]!.clusterId).toBeNull();

    // Servers fit a servers cluster; and out of it again.
    expect((await caller.hosts.setCluster({ hostId, clusterId: serversCluster })).clusterId).toBe(
      serversCluster,
    );
    expect((await caller.hosts.setCluster({ hostId, clusterId: null })).clusterId).toBeNull();

    await s.db.update(instances).set({ state: "DELETED" }).where(inArray(instances.id, ids));
    expect((await caller.hosts.setCluster({ hostId, clusterId: desktopsCluster })).clusterId).toBe(
      desktopsCluster,
    );
  });

  it("refuses everyone but superAdm, and an unknown cluster", async () => {
    const hostId = await makeHost(s);
    const clusterId = await makeCluster(s, "servers");
    for (const role of ["user", "powerUser", "powerAdm"] as const) {
      const caller = callerFor(s, await makeUser(s, role));
      await expect(caller.hosts.setCluster({ hostId, clusterId })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      await expect(caller.clusters.create({ name: uniqueName("cl"), kind: "servers" })).rejects.toMatchObject(
        {
          code: "FORBIDDEN",
        },
      );
      await expect(caller.clusters.delete({ id: clusterId })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(caller.clusters.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(callerFor(s, null).clusters.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await s.db.select().from(hosts).where(eq(hosts.id, hostId)))[0]!.clusterId).toBeNull();
    await expect(
      callerFor(s, admin).hosts.setCluster({ hostId, clusterId: 2_000_000_000 }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("managing clusters", () => {
  it("creates, lists with host counts, renames, refuses a taken name, and deletes only an empty cluster", async () => {
    const caller = callerFor(s, admin);
    const name = uniqueName("lab-pcs");
    const made = await caller.clusters.create({ name, kind: "local", description: "Room 101" });
    expect(made).toMatchObject({ name, kind: "local", description: "Room 101", hostCount: 0 });
    await expect(caller.clusters.create({ name, kind: "servers" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: `A cluster named “${name}” already exists.`,
    });

    const hostId = await makeHost(s);
    await caller.hosts.setCluster({ hostId, clusterId: made.id });
    expect((await caller.clusters.list()).find((c) => c.id === made.id)!.hostCount).toBe(1);

    const renamed = await caller.clusters.rename({ id: made.id, name: `${name}-b` });
    expect(renamed).toMatchObject({ name: `${name}-b`, kind: "local", description: "Room 101" });

    await expect(caller.clusters.delete({ id: made.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: `Cluster ${name}-b still has 1 host. Move them out before deleting it.`,
    });
    await caller.hosts.setCluster({ hostId, clusterId: null });
    await caller.clusters.delete({ id: made.id });
    expect((await caller.clusters.list()).some((c) => c.id === made.id)).toBe(false);
  });
});

describe("joining into a cluster", () => {
  const join = (token: string, extra: Record<string, unknown> = {}) =>
    joinHost(
      { db: s.db, settings: testSettings(), hostChannel: recordingHostChannel() },
      // Through the wire schema, as the join route parses it: whatever else the agent sends is dropped.
      joinRequestSchema.parse({
        token,
        name: uniqueName("pc"),
        facts: hostFacts(),
        consoleUrl: "ws://127.0.0.1:7901",
        ...extra,
      }),
    );

  it("a host joining with a cluster's token lands in that cluster; what the agent sends cannot choose another", async () => {
    const local = await makeCluster(s, "local");
    const servers = await makeCluster(s, "servers");
    const { token, command } = await callerFor(s, admin).hosts.createJoinToken({ clusterId: local });
    expect(command).toContain(token);
    const joined = await join(token, { clusterId: servers, cluster: "servers" });
    const [row] = await s.db.select().from(hosts).where(eq(hosts.id, joined.hostId));
    expect(row!.clusterId).toBe(local);

    // Without a cluster: none (the one-host school's default).
    const plain = await callerFor(s, admin).hosts.createJoinToken();
    const other = await join(plain.token, { clusterId: servers });
    expect((await s.db.select().from(hosts).where(eq(hosts.id, other.hostId)))[0]!.clusterId).toBeNull();
  });

  it("heartbeats and facts cannot move a host between clusters", async () => {
    const local = await makeCluster(s, "local");
    const servers = await makeCluster(s, "servers");
    const { token } = await callerFor(s, admin).hosts.createJoinToken({ clusterId: local });
    const { hostId } = await join(token);
    const facts = { ...hostFacts(), clusterId: servers, cluster: "servers", clusterKind: "servers" };
    await applyAgentEvent(
      { db: s.db, jobs: recordingJobs() },
      heartbeatEvent.parse({
        type: "host.heartbeat",
        hostId,
        at: new Date(),
        vms: [],
        facts,
        clusterId: servers,
      }),
    );
    const [row] = await s.db.select().from(hosts).where(eq(hosts.id, hostId));
    expect(row!.clusterId).toBe(local);
    expect(row!.lastHeartbeatAt).not.toBeNull();
  });

  it("a token naming an unknown cluster is refused; deleting a cluster voids its unused tokens", async () => {
    await expect(
      callerFor(s, admin).hosts.createJoinToken({ clusterId: 2_000_000_000 }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const gone = await makeCluster(s, "desktops");
    const { token } = await callerFor(s, admin).hosts.createJoinToken({ clusterId: gone });
    await callerFor(s, admin).clusters.delete({ id: gone });
    await expect(join(token)).rejects.toMatchObject({ code: "hosts.invalidJoinToken" });
    expect(
      await s.db
        .select()
        .from(hostJoinTokens)
        .where(and(eq(hostJoinTokens.clusterId, gone))),
    ).toEqual([]);
  });
});
