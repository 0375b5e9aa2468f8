import { randomBytes } from "node:crypto";
import pino from "pino";
import { inArray } from "drizzle-orm";
import { groupCatalogue, groups, images, memberships, users } from "@/db/schema";
import type { AccountRole } from "@/db/schema/roles";
import { createCaller } from "@/server/api/root";
import type { TrpcContext } from "@/server/api/trpc";
import { hashPassword } from "@/server/auth/password";
import { createDatabase, type DatabaseHandle } from "@/server/db/client";
import { deriveConsoleTicketKey } from "@/server/domain/consoles/console-tickets";
import { deriveSettingsSealKey } from "@/server/domain/settings/seal-secret";
import { deriveTerminalKey } from "@/server/domain/terminals/terminal-secrets";
import type { Actor, DomainSettings, JobPort } from "@/server/domain/context";
import { membershipHooks } from "@/server/events/membership-hooks";
import { createHostChannel } from "@/server/queue/host-channel";
import { createRedis } from "@/server/queue/redis";

/** A connection to this run's test database and Redis (see integration-global-setup.ts). */
export function openTestServices() {
  const handle: DatabaseHandle = createDatabase(process.env.DATABASE_URL!);
  const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  return {
    ...handle,
    redis,
    prefix: process.env.REDIS_PREFIX!,
    async close() {
      await handle.pool.end();
      redis.disconnect();
    },
  };
}
export type TestServices = ReturnType<typeof openTestServices>;

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

// Hashing is deliberately slow; fixtures share one hash of a known password.
export const FIXTURE_PASSWORD = "fixture-password-1";
let fixtureHash: Promise<string> | undefined;

export async function makeGroup(s: TestServices, name = uniqueName("grp")): Promise<number> {
  const [res] = await s.db.insert(groups).values({ name });
  return res.insertId;
}

export async function makeUser(
  s: TestServices,
  role: AccountRole,
  groupIds: number[] = [],
  /** adminOf: groups the user administers (default: all of groupIds for powerAdm and superAdm). */
  opts: { username?: string; disabled?: boolean; adminOf?: number[] } = {},
): Promise<Actor> {
  fixtureHash ??= hashPassword(FIXTURE_PASSWORD);
  const username = opts.username ?? uniqueName(role.toLowerCase());
  const [res] = await s.db.insert(users).values({
    username,
    displayName: username,
    passwordHash: await fixtureHash,
    role,
    disabled: opts.disabled ?? false,
  });
  const administers = role === "powerAdm" || role === "superAdm";
  const adminOf = opts.adminOf ?? (administers ? groupIds : []);
  if (groupIds.length)
    await s.db
      .insert(memberships)
      .values(
        groupIds.map((groupId) => ({ userId: res.insertId, groupId, isAdmin: adminOf.includes(groupId) })),
      );
  return {
    id: res.insertId,
    username,
    role,
    groupIds,
    adminGroupIds: administers ? adminOf.filter((g) => groupIds.includes(g)) : [],
  };
}

export const testSettings = (over: Partial<DomainSettings> = {}): DomainSettings => ({
  cpuOvercommit: 4,
  ramOvercommit: 1,
  diskOvercommit: 1,
  schedulerStrategy: "spread",
  hostDownAfterSeconds: 30,
  joinTokenTtlSeconds: 600,
  portalUrl: "http://127.0.0.1:3999",
  agentRedisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  redisPrefix: process.env.REDIS_PREFIX ?? "educloud_test",
  imageStoreDir: process.env.IMAGE_STORE_DIR ?? "/tmp/educloud-test-images",
  subnetTimeoutSeconds: 120,
  portForwardRange: [20000, 29999],
  consoleTicketKey: deriveConsoleTicketKey(
    process.env.NEXTAUTH_SECRET ?? "fixture-secret-fixture-secret-fixture",
  ),
  settingsSealKey: deriveSettingsSealKey(
    process.env.NEXTAUTH_SECRET ?? "fixture-secret-fixture-secret-fixture",
  ),
  terminalKey: deriveTerminalKey(process.env.NEXTAUTH_SECRET ?? "fixture-secret-fixture-secret-fixture"),
  kioskIdleSeconds: 15 * 60,
  ...over,
});

/** Records what would be queued for agents; tests that need real agents use the BullMQ port. */
export function recordingJobs(): JobPort & {
  sent: { hostId: string; name: string; data: unknown; jobId: string }[];
} {
  const sent: { hostId: string; name: string; data: unknown; jobId: string }[] = [];
  return {
    sent,
    async enqueue(hostId, name, data, jobId) {
      if (!sent.some((j) => j.jobId === jobId)) sent.push({ hostId, name, data, jobId });
    },
  };
}

export function contextFor(
  s: TestServices,
  actor: Actor | null,
  ip = "127.0.0.1",
  over: Partial<TrpcContext> = {},
): TrpcContext {
  return {
    db: s.db,
    redis: s.redis,
    actor,
    ip,
    settings: testSettings(),
    jobs: recordingJobs(),
    hostChannel: createHostChannel(s.redis, s.prefix),
    hooks: membershipHooks,
    log: pino({ level: "silent" }),
    ...over,
  };
}

export function callerFor(
  s: TestServices,
  actor: Actor | null,
  ip?: string,
  over: Partial<TrpcContext> = {},
) {
  return createCaller(contextFor(s, actor, ip, over));
}

// ---- compute fixtures (rows only; tests that need real VMs run a real agent) -----------------------

export function hostFacts(
  over: Partial<import("@/agents/protocol").HostFacts> = {},
): import("@/agents/protocol").HostFacts {
  return {
    hostname: "fixture",
    cpuModel: "Fixture CPU",
    cpuCount: 2,
    memoryMiB: 4096,
    diskFreeBytes: 50e9,
    diskTotalBytes: 100e9,
    storageDir: "/tmp/fixture",
    hypervisors: [{ kind: "qemu", available: true, version: "8.2" }],
    kvmUsable: false,
    kvmReason: "fixture",
    agentVersion: "test",
    protocolVersion: 1,
    ...over,
  };
}

export async function makeHost(
  s: TestServices,
  over: {
    cpuCount?: number;
    memoryMiB?: number;
    diskFreeBytes?: number;
    up?: boolean;
    enabled?: boolean;
  } = {},
): Promise<string> {
  const { hosts } = await import("@/db/schema");
  const id = (await import("node:crypto")).randomUUID();
  // Disk is plenty (1 TB) unless a test is about disk: placement counts it.
  const facts = hostFacts({
    cpuCount: over.cpuCount ?? 2,
    memoryMiB: over.memoryMiB ?? 4096,
    diskFreeBytes: over.diskFreeBytes ?? 1e12,
  });
  await s.db.insert(hosts).values({
    id,
    name: uniqueName("host"),
    secretHash: "0".repeat(64),
    enabled: over.enabled ?? true,
    cpuCount: facts.cpuCount,
    memoryMiB: facts.memoryMiB,
    diskFreeBytes: facts.diskFreeBytes,
    facts,
    lastHeartbeatAt: over.up === false ? new Date(Date.now() - 3600_000) : new Date(),
  });
  return id;
}

export async function makeFlavor(
  s: TestServices,
  /** groupId: a flavor of that group's own (default: a public one). */
  over: { vcpus?: number; memoryMiB?: number; diskGiB?: number; groupId?: number | null } = {},
): Promise<number> {
  const { flavors } = await import("@/db/schema");
  const [res] = await s.db.insert(flavors).values({
    name: uniqueName("fl"),
    vcpus: over.vcpus ?? 1,
    memoryMiB: over.memoryMiB ?? 256,
    diskGiB: over.diskGiB ?? 1,
    groupId: over.groupId ?? null,
  });
  return res.insertId;
}

export async function makeImageRow(
  s: TestServices,
  over: { sha256?: string; visibility?: "public" | "group" | "private"; ownerId?: number } = {},
): Promise<string> {
  const { images } = await import("@/db/schema");
  const id = (await import("node:crypto")).randomUUID();
  await s.db.insert(images).values({
    id,
    name: uniqueName("img"),
    sha256: over.sha256 ?? randomBytes(32).toString("hex"),
    format: "qcow2",
    sizeBytes: 10_000_000,
    virtualSizeBytes: 32 * 1024 * 1024,
    visibility: over.visibility ?? "public",
    ownerId: over.ownerId ?? null,
  });
  return id;
}

export async function makeInstanceRow(
  s: TestServices,
  o: {
    ownerId: number;
    groupId: number | null;
    hostId: string;
    flavorId: number;
    imageId: string;
    state?: import("@/db/schema").InstanceState;
  },
): Promise<string> {
  const { instances } = await import("@/db/schema");
  const id = (await import("node:crypto")).randomUUID();
  await s.db.insert(instances).values({
    id,
    name: uniqueName("vm"),
    ownerId: o.ownerId,
    groupId: o.groupId,
    flavorId: o.flavorId,
    imageId: o.imageId,
    vcpus: 1,
    memoryMiB: 256,
    diskGiB: 1,
    hostId: o.hostId,
    state: o.state ?? "RUNNING",
  });
  return id;
}

// ---- network fixtures ------------------------------------------------------------------------------

let cidrCounter = 0;
const cidrBase = 16 + Math.floor(Math.random() * 16);
/** A /24 no other fixture network takes in this run (172.16.0.0/12 is left to fixtures; tests pick 10.x). */
export const nextFixtureCidr = () =>
  `172.${cidrBase}.${(cidrCounter++ * 7 + Math.floor(Math.random() * 7)) % 256}.0/24`;

export async function makeNetwork(
  s: TestServices,
  over: { cidr?: string; kind?: "tenant" | "infrastructure"; nat?: boolean } = {},
): Promise<string> {
  const { createNetwork } = await import("@/server/domain/networks/manage-networks");
  const admin = await makeUser(s, "superAdm", []);
  const ctx = contextFor(s, admin);
  for (let attempt = 0; ; attempt++) {
    try {
      const n = await createNetwork(ctx, {
        name: uniqueName("net"),
        cidr: over.cidr ?? nextFixtureCidr(),
        dnsServers: [],
        vlanId: null,
        uplink: null,
        kind: over.kind ?? "tenant",
        nat: over.nat ?? false,
        hostIds: [],
      });
      return n.id;
    } catch (err) {
      if (over.cidr || attempt > 5 || !/overlaps/.test(String(err))) throw err;
    }
  }
}

/** Gives an instance row a NIC on the network (an address from IPAM); returns the address id. */
export async function makeNic(
  s: TestServices,
  instanceId: string,
  networkId: string,
  nicIndex = 0,
): Promise<number> {
  const { allocateInLockedNetwork, lockNetwork } = await import("@/server/domain/networks/ipam");
  return s.db.transaction(async (tx) => {
    const network = await lockNetwork(tx, networkId);
    return (
      await allocateInLockedNetwork(tx, {
        network,
        kind: "instance",
        ownerId: null,
        label: null,
        instanceId,
        nicIndex,
      })
    ).id;
  });
}

/** Puts images (by id: their family is listed), flavors, networks or hosts into a group's catalogue. */
export async function allowInCatalogue(
  s: TestServices,
  groupId: number,
  items: { imageIds?: string[]; flavorIds?: number[]; networkIds?: string[]; hostIds?: string[] },
): Promise<void> {
  const imageRows = items.imageIds?.length
    ? await s.db
        .select({ id: images.id, familyId: images.familyId })
        .from(images)
        .where(inArray(images.id, items.imageIds))
    : [];
  const rows = [
    ...imageRows.map((i) => ({ groupId, kind: "image" as const, itemId: i.familyId ?? i.id })),
    ...(items.flavorIds ?? []).map((id) => ({ groupId, kind: "flavor" as const, itemId: String(id) })),
    ...(items.networkIds ?? []).map((id) => ({ groupId, kind: "network" as const, itemId: id })),
    ...(items.hostIds ?? []).map((id) => ({ groupId, kind: "host" as const, itemId: id })),
  ];
  if (rows.length) await s.db.insert(groupCatalogue).ignore().values(rows);
}

/**
 * For tests about something other than catalogues: one group whose catalogue gets every image and
 * flavor made through it, so its members may launch them as a class's students would.
 */
export async function makeLaunchGroup(s: TestServices) {
  const groupId = await makeGroup(s);
  return {
    groupId,
    image: async (over: Parameters<typeof makeImageRow>[1] = {}) => {
      const id = await makeImageRow(s, over);
      await allowInCatalogue(s, groupId, { imageIds: [id] });
      return id;
    },
    flavor: async (over: Parameters<typeof makeFlavor>[1] = {}) => {
      const id = await makeFlavor(s, over);
      await allowInCatalogue(s, groupId, { flavorIds: [id] });
      return id;
    },
  };
}

/** A cluster of its own (unique name) for a test; returns its id. */
export async function makeCluster(
  s: TestServices,
  kind: "servers" | "desktops" | "local",
  name = uniqueName(`cl-${kind}`),
): Promise<number> {
  const { clusters } = await import("@/db/schema");
  const [res] = await s.db.insert(clusters).values({ name, kind });
  return res.insertId;
}
