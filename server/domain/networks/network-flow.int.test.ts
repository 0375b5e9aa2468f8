// From the portal's side: instances get their NIC addresses from IPAM inside the create transaction,
// agents are sent complete specs, port forwards belong to the instance's owner, and a deleted
// instance gives everything back. (The agent side, with real bridges and VMs, is tested in
// agents/node-agent/network/; the two meet in e2e/networks.spec.ts.)
import { createHostChannel } from "@/server/queue/host-channel";
import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NetworkSpec, NicSpec } from "@/agents/protocol";
import { hosts, instances, ipAddresses, networkHostStates } from "@/db/schema";
import type { Actor } from "@/server/domain/context";
import { applyAgentEvent } from "@/server/events/agent-events";
import { membershipHooks } from "@/server/events/membership-hooks";
import {
  callerFor,
  allowInCatalogue,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeUser,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";
import { carveSubnet } from "./ipam";

let s: TestServices;
let admin: Actor;
let owner: Actor;
let stranger: Actor;
let hostId: string;
let otherHostId: string;
let flavorId: number;
let imageId: string;
let group: number;
const octet = 100 + (randomBytes(1)[0]! % 100);
let third = 128;
const freshCidr = () => `10.${octet}.${(third += 1)}.0/24`;
type Jobs = ReturnType<typeof recordingJobs>;

beforeAll(async () => {
  s = openTestServices();
  flavorId = await makeFlavor(s);
  imageId = await makeImageRow(s);
  group = await makeGroup(s);
  await allowInCatalogue(s, group, { imageIds: [imageId], flavorIds: [flavorId] });
  admin = await makeUser(s, "superAdm", []);
  owner = await makeUser(s, "powerUser", [group]);
  stranger = await makeUser(s, "powerUser", [group]);
  hostId = await makeHost(s, { cpuCount: 16, memoryMiB: 65536 });
  otherHostId = await makeHost(s, { cpuCount: 16, memoryMiB: 65536 });
});
afterAll(() => s?.close());

/** A network only our host carries: placement lands there whatever other tests' hosts exist. */
async function pinnedNetwork(jobs: Jobs, over: { hostIds?: string[] } = {}) {
  return callerFor(s, admin, undefined, { jobs }).networks.create({
    name: `n-${randomBytes(3).toString("hex")}`,
    cidr: freshCidr(),
    nat: true,
    hostIds: over.hostIds ?? [hostId],
  });
}
const createJobs = (jobs: Jobs) => jobs.sent.filter((j) => j.name === "instance.create");
const applyJobs = (jobs: Jobs) =>
  jobs.sent
    .filter((j) => j.name === "network.apply")
    .map((j) => (j.data as { network: NetworkSpec }).network);

describe("instances on networks", () => {
  it("a new instance's NIC gets an IPAM address, a MAC and a tap, and the agent gets the full spec", async () => {
    const jobs = recordingJobs();
    const net = await pinnedNetwork(jobs);
    const vm = await callerFor(s, owner, undefined, { jobs }).instances.create({
      name: "web-1",
      imageId,
      flavorId,
      nics: [{ networkId: net.id }],
    });
    expect(vm.host?.id).toBe(hostId);
    const nics = (createJobs(jobs)[0]!.data as { nics: NicSpec[] }).nics;
    expect(nics).toHaveLength(1);
    const prefix = net.cidr.split(".").slice(0, 3).join(".");
    expect(nics[0]!.ip).toBe(`${prefix}.2`);
    expect(nics[0]!.tap).toMatch(/^ectap[0-9a-f]{10}$/);
    expect(nics[0]!.mac).toMatch(/^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/);
    expect(nics[0]!.network).toMatchObject({
      id: net.id,
      bridge: net.bridge,
      gateway: `${prefix}.1`,
      nat: true,
      revision: net.revision + 1,
    });
    expect(nics[0]!.network.reservations).toEqual([
      { mac: nics[0]!.mac, ip: nics[0]!.ip, hostname: "web-1" },
    ]);
    // The owner sees the NIC on the instance.
    const shown = await callerFor(s, owner).instances.nics({ id: vm.id });
    expect(shown).toMatchObject([{ ip: nics[0]!.ip, mac: nics[0]!.mac, networkName: net.name, nicIndex: 0 }]);
    await expect(callerFor(s, stranger).instances.nics({ id: vm.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("a host that does not carry the network is not chosen, and the refusal says so", async () => {
    const jobs = recordingJobs();
    const net = await pinnedNetwork(jobs, { hostIds: [otherHostId] });
    expect(net.allHosts).toBe(false);
    const vm = await callerFor(s, owner, undefined, { jobs }).instances.create({
      name: "pinned",
      imageId,
      flavorId,
      nics: [{ networkId: net.id }],
    });
    expect(vm.host?.id).toBe(otherHostId);
    // With its only carrier disabled, the refusal names the reason for our other host.
    await s.db.update(hosts).set({ enabled: false }).where(eq(hosts.id, otherHostId));
    try {
      const err = await callerFor(s, owner, undefined, { jobs })
        .instances.create({ name: "pinned-2", imageId, flavorId, nics: [{ networkId: net.id }] })
        .catch((e: unknown) => e);
      expect((err as TRPCError).code).toBe("CONFLICT");
      expect((err as TRPCError).message).toContain(`does not carry the network ${net.name}`);
    } finally {
      await s.db.update(hosts).set({ enabled: true }).where(eq(hosts.id, otherHostId));
    }
  });

  it("an instance that uses an expired subnet fails with the reason and leaves nothing behind", async () => {
    const jobs = recordingJobs();
    const net = await pinnedNetwork(jobs);
    const sub = await carveSubnet(
      {
        db: s.db,
        redis: s.redis,
        actor: admin,
        ip: null,
        settings: (await import("@/server/testing/fixtures")).testSettings(),
        jobs,
        hostChannel: createHostChannel(s.redis, s.prefix),
        hooks: membershipHooks,
      },
      { networkId: net.id, owner: "lab-late", size: 8, timeoutSeconds: 1 },
    );
    await new Promise((r) => setTimeout(r, 1100));
    const err = await callerFor(s, admin, undefined, { jobs })
      .instances.create({ name: "late", imageId, flavorId, nics: [{ networkId: net.id, subnetId: sub.id }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("CONFLICT");
    expect((err as TRPCError).message).toMatch(
      /^The subnet .* reserved for "lab-late" expired at .* without being confirmed and went back to the pool; carve a new one\.$/,
    );
    expect(await s.db.select().from(instances).where(eq(instances.name, "late"))).toHaveLength(0);
    expect(await s.db.select().from(ipAddresses).where(eq(ipAddresses.networkId, net.id))).toHaveLength(0);
    expect(createJobs(jobs)).toHaveLength(0);
  });

  it("a student cannot take addresses from a subnet another user carved: refused, nothing allocated", async () => {
    const jobs = recordingJobs();
    const net = await pinnedNetwork(jobs);
    const teacher = await makeUser(s, "powerAdm", [group]);
    const student = await makeUser(s, "user", [group]);
    const sub = await carveSubnet(
      {
        db: s.db,
        redis: s.redis,
        actor: teacher,
        ip: null,
        settings: (await import("@/server/testing/fixtures")).testSettings(),
        jobs,
        hostChannel: createHostChannel(s.redis, s.prefix),
        hooks: membershipHooks,
      },
      { networkId: net.id, owner: `lab-${randomBytes(3).toString("hex")}`, size: 8 },
    );
    const name = `squat-${randomBytes(3).toString("hex")}`;
    const err = await callerFor(s, student, undefined, { jobs })
      .instances.create({ name, imageId, flavorId, nics: [{ networkId: net.id, subnetId: sub.id }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("FORBIDDEN");
    expect((err as TRPCError).message).toBe("This subnet was carved by someone else.");
    expect(await s.db.select().from(instances).where(eq(instances.name, name))).toHaveLength(0);
    expect(await s.db.select().from(ipAddresses).where(eq(ipAddresses.networkId, net.id))).toHaveLength(0);
    expect(createJobs(jobs)).toHaveLength(0);
    // The carver may (same call otherwise): the refusal is about whose subnet it is.
    const mine = await callerFor(s, teacher, undefined, { jobs }).instances.create({
      name: `${name}-ok`,
      imageId,
      flavorId,
      nics: [{ networkId: net.id, subnetId: sub.id }],
    });
    const [addr] = await s.db.select().from(ipAddresses).where(eq(ipAddresses.instanceId, mine.id));
    expect(addr?.subnetId).toBe(sub.id);
  });

  it("only tenant networks for non-superAdm", async () => {
    const jobs = recordingJobs();
    const infra = await callerFor(s, admin, undefined, { jobs }).networks.create({
      name: `i-${randomBytes(3).toString("hex")}`,
      cidr: freshCidr(),
      kind: "infrastructure",
      hostIds: [hostId],
    });
    await expect(
      callerFor(s, owner, undefined, { jobs }).instances.create({
        name: "sneaky",
        imageId,
        flavorId,
        nics: [{ networkId: infra.id }],
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await callerFor(s, owner).networks.choices()).map((n) => n.id)).not.toContain(infra.id);
  });
});

describe("port forwards, deletion and restarts", () => {
  it("the owner forwards a port; others cannot see or remove it; delete releases addresses, forwards and leases", async () => {
    const jobs = recordingJobs();
    const net = await pinnedNetwork(jobs);
    const vm = await callerFor(s, owner, undefined, { jobs }).instances.create({
      name: "srv",
      imageId,
      flavorId,
      nics: [{ networkId: net.id }],
    });
    const ip = (await callerFor(s, owner).instances.nics({ id: vm.id }))[0]!.ip;
    const hostPort = 20000 + (randomBytes(2).readUInt16BE() % 9000);

    const fwd = await callerFor(s, owner, undefined, { jobs }).portForwards.create({
      instanceId: vm.id,
      hostPort,
      guestPort: 80,
    });
    expect(fwd).toMatchObject({
      protocol: "tcp",
      hostPort,
      guestPort: 80,
      guestIp: ip,
      host: { id: hostId },
    });
    const pushed = applyJobs(jobs).at(-1)!;
    expect(pushed.portForwards).toEqual([{ protocol: "tcp", hostPort, guestIp: ip, guestPort: 80 }]);

    await expect(
      callerFor(s, owner, undefined, { jobs }).portForwards.create({
        instanceId: vm.id,
        hostPort,
        guestPort: 22,
      }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: `Port ${hostPort}/tcp of this instance's host is already forwarded. Pick another.`,
    });
    await expect(
      callerFor(s, owner, undefined, { jobs }).portForwards.create({
        instanceId: vm.id,
        hostPort: 80,
        guestPort: 80,
      }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Host ports from 20000 to 29999 may be forwarded.",
    });
    await expect(callerFor(s, stranger).portForwards.list({ instanceId: vm.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(callerFor(s, stranger).portForwards.delete({ id: fwd.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      callerFor(s, stranger).portForwards.create({
        instanceId: vm.id,
        hostPort: hostPort + 1,
        guestPort: 80,
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await callerFor(s, owner).portForwards.list({ instanceId: vm.id })).toHaveLength(1);

    // The host applied it; a restarted agent is sent the network again.
    await applyAgentEvent(
      { db: s.db, jobs },
      {
        type: "network.state",
        hostId,
        at: new Date(),
        networkId: net.id,
        state: "applied",
        revision: pushed.revision,
      },
    );
    const [state] = await s.db
      .select()
      .from(networkHostStates)
      .where(eq(networkHostStates.networkId, net.id));
    expect(state).toMatchObject({ hostId, state: "applied", revision: pushed.revision });
    const before = applyJobs(jobs).length;
    await applyAgentEvent(
      { db: s.db, jobs },
      {
        type: "host.heartbeat",
        hostId,
        at: new Date(),
        vms: [{ instanceId: vm.id, state: "running" }],
        startup: true,
      },
    );
    const rebuilt = applyJobs(jobs)
      .slice(before)
      .filter((n) => n.id === net.id);
    expect(rebuilt).toHaveLength(1);
    expect(rebuilt[0]!.reservations.map((r) => r.ip)).toEqual([ip]);
    expect(rebuilt[0]!.portForwards).toHaveLength(1);

    // Deleting: the agent reports DELETED → addresses and forwards go, the host gets a spec without them.
    await s.db.update(instances).set({ state: "DELETING", task: "deleting" }).where(eq(instances.id, vm.id));
    await applyAgentEvent(
      { db: s.db, jobs },
      { type: "instance.state", hostId, at: new Date(), instanceId: vm.id, state: "DELETED" },
    );
    expect(await s.db.select().from(ipAddresses).where(eq(ipAddresses.instanceId, vm.id))).toHaveLength(0);
    const last = applyJobs(jobs).at(-1)!;
    expect(last.id).toBe(net.id);
    expect(last.reservations).toEqual([]);
    expect(last.portForwards).toEqual([]);
    expect(last.revision).toBeGreaterThan(pushed.revision);

    // Now the network can go, and the host that built it is told to tear it down.
    await callerFor(s, admin, undefined, { jobs }).networks.delete({ id: net.id });
    expect(jobs.sent.at(-1)).toMatchObject({
      hostId,
      name: "network.remove",
      data: { networkId: net.id, bridge: net.bridge },
    });
  });
});
