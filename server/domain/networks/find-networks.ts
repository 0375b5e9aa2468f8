// Reading networks: usage for admins, plain choices for people launching instances, a CSV report.
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import {
  hosts,
  instances,
  ipAddresses,
  ipSubnets,
  networkHosts,
  networkHostStates,
  networks,
  users,
  type NetworkRow,
} from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { toCsv } from "../csv";
import { notFound } from "../errors";
import { loadInstanceForActor } from "../instances/find-instances";
import { toSubnetView, type SubnetView } from "./ipam";

export interface NetworkUsage {
  /** Host addresses (without network, broadcast and gateway). */
  capacity: number;
  /** Allocated addresses outside live subnets (those inside are in `inSubnets` already). */
  used: number;
  /** Addresses held by live subnets (reserved or confirmed), used or not. */
  inSubnets: number;
  free: number;
}

export interface NetworkView extends Omit<NetworkRow, "firstAddr" | "lastAddr" | "createdBy"> {
  usage: NetworkUsage;
  hostIds: string[];
}

const capacityOf = (n: NetworkRow) => n.lastAddr - n.firstAddr - 2;

export async function listNetworks(ctx: DomainContext): Promise<NetworkView[]> {
  requireActor(ctx);
  const rows = await ctx.db.select().from(networks).orderBy(asc(networks.name));
  const counts = await ctx.db
    .select({ id: ipAddresses.networkId, subnetId: ipAddresses.subnetId, n: sql<number>`count(*)` })
    .from(ipAddresses)
    .groupBy(ipAddresses.networkId, ipAddresses.subnetId);
  const now = new Date();
  const subnets = (await ctx.db.select().from(ipSubnets)).filter(
    (s) => toSubnetView(s, now).state !== "expired",
  );
  const live = new Set(subnets.map((s) => s.id));
  // Addresses inside live subnets are counted in the subnets' blocks, not twice.
  const used = new Map<string, number>();
  for (const c of counts) {
    if (c.subnetId !== null && live.has(c.subnetId)) continue;
    used.set(c.id, (used.get(c.id) ?? 0) + Number(c.n));
  }
  const carried = await ctx.db.select().from(networkHosts);
  return rows.map((n) => {
    const mine = subnets.filter((s) => s.networkId === n.id);
    const inSubnets = mine.reduce((a, s) => a + s.size, 0);
    const usedOutside = used.get(n.id) ?? 0;
    const capacity = capacityOf(n);
    return {
      ...strip(n),
      hostIds: carried.filter((c) => c.networkId === n.id).map((c) => c.hostId),
      usage: {
        capacity,
        used: usedOutside,
        inSubnets,
        free: Math.max(0, capacity - usedOutside - inSubnets),
      },
    };
  });
}

function strip(n: NetworkRow): Omit<NetworkRow, "firstAddr" | "lastAddr" | "createdBy"> {
  const { firstAddr: _f, lastAddr: _l, createdBy: _c, ...rest } = n;
  return rest;
}

/** What someone launching an instance may attach to: tenant networks (all of them for superAdm). */
export async function listNetworkChoices(
  ctx: DomainContext,
): Promise<{ id: string; name: string; cidr: string; kind: NetworkRow["kind"] }[]> {
  const actor = requireActor(ctx);
  return ctx.db
    .select({ id: networks.id, name: networks.name, cidr: networks.cidr, kind: networks.kind })
    .from(networks)
    .where(actor.role === "superAdm" ? undefined : eq(networks.kind, "tenant"))
    .orderBy(asc(networks.name));
}

export interface AddressView {
  id: number;
  networkId: string;
  ip: string;
  mac: string;
  kind: "instance" | "infrastructure";
  label: string | null;
  instance: { id: string; name: string } | null;
  owner: string | null;
  subnetId: number | null;
  createdAt: Date;
}

export interface NetworkDetail {
  network: NetworkView;
  subnets: SubnetView[];
  addresses: AddressView[];
  /** Per owner (user or subnet owner): how many addresses they hold. */
  perOwner: { owner: string; addresses: number }[];
  hostStates: {
    hostId: string;
    hostName: string;
    state: "applied" | "error";
    revision: number | null;
    reason: string | null;
    updatedAt: Date;
  }[];
}

export async function getNetworkDetail(ctx: DomainContext, id: string): Promise<NetworkDetail> {
  const network = (await listNetworks(ctx)).find((n) => n.id === id);
  if (!network) throw notFound("network");
  const subnets = (
    await ctx.db.select().from(ipSubnets).where(eq(ipSubnets.networkId, id)).orderBy(asc(ipSubnets.firstAddr))
  ).map((s) => toSubnetView(s));
  const addresses = await selectAddresses(ctx, [eq(ipAddresses.networkId, id)]);
  const counts = new Map<string, number>();
  for (const a of addresses) {
    const sub = a.subnetId ? subnets.find((s) => s.id === a.subnetId)?.owner : undefined;
    const key = sub ? `subnet ${sub}` : (a.owner ?? "—");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const hostStates = await ctx.db
    .select({ s: networkHostStates, hostName: hosts.name })
    .from(networkHostStates)
    .innerJoin(hosts, eq(hosts.id, networkHostStates.hostId))
    .where(eq(networkHostStates.networkId, id));
  return {
    network,
    subnets,
    addresses,
    perOwner: [...counts]
      .map(([owner, n]) => ({ owner, addresses: n }))
      .sort((a, b) => b.addresses - a.addresses),
    hostStates: hostStates.map(({ s, hostName }) => ({
      hostId: s.hostId,
      hostName,
      state: s.state,
      revision: s.revision,
      reason: s.reason,
      updatedAt: s.updatedAt,
    })),
  };
}

async function selectAddresses(ctx: DomainContext, where: SQL[]): Promise<AddressView[]> {
  const rows = await ctx.db
    .select({ a: ipAddresses, instanceName: instances.name, owner: users.username })
    .from(ipAddresses)
    .leftJoin(instances, eq(instances.id, ipAddresses.instanceId))
    .leftJoin(users, eq(users.id, ipAddresses.ownerId))
    .where(and(...where))
    .orderBy(asc(ipAddresses.networkId), asc(ipAddresses.addr));
  return rows.map(({ a, instanceName, owner }) => ({
    id: a.id,
    networkId: a.networkId,
    ip: a.ip,
    mac: a.mac,
    kind: a.kind,
    label: a.label,
    subnetId: a.subnetId,
    createdAt: a.createdAt,
    owner,
    instance: a.instanceId ? { id: a.instanceId, name: instanceName ?? a.instanceId } : null,
  }));
}

/** The NICs of one instance: its owner (or their group's powerAdm) only. */
export async function listInstanceNics(ctx: DomainContext, instanceId: string) {
  await loadInstanceForActor(ctx, instanceId);
  return ctx.db
    .select({
      id: ipAddresses.id,
      nicIndex: ipAddresses.nicIndex,
      ip: ipAddresses.ip,
      mac: ipAddresses.mac,
      networkId: networks.id,
      networkName: networks.name,
      cidr: networks.cidr,
      gateway: networks.gateway,
    })
    .from(ipAddresses)
    .innerJoin(networks, eq(networks.id, ipAddresses.networkId))
    .where(eq(ipAddresses.instanceId, instanceId))
    .orderBy(asc(ipAddresses.nicIndex));
}

/** IP usage report (every allocated address), as CSV for a spreadsheet. */
export async function exportIpUsageCsv(ctx: DomainContext): Promise<string> {
  requireActor(ctx);
  const nets = new Map((await ctx.db.select().from(networks)).map((n) => [n.id, n]));
  const subs = new Map((await ctx.db.select().from(ipSubnets)).map((s) => [s.id, s]));
  const rows = await selectAddresses(ctx, []);
  const header = [
    "network",
    "cidr",
    "ip",
    "mac",
    "kind",
    "instance",
    "owner",
    "subnet_owner",
    "label",
    "allocated_at",
  ];
  return toCsv(
    header,
    rows.map((a) => {
      const n = nets.get(a.networkId);
      return [
        n?.name,
        n?.cidr,
        a.ip,
        a.mac,
        a.kind,
        a.instance?.name,
        a.owner,
        a.subnetId ? subs.get(a.subnetId)?.owner : "",
        a.label,
        a.createdAt,
      ];
    }),
  );
}
