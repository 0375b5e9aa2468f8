// IPAM (seed 001 "plugins/ipam"): carve subnets for owners, allocate and release addresses. Every
// change to a network's address space runs in a transaction holding that network's row lock, so
// concurrent requests queue instead of racing; unique indexes on (network, address) and MAC are the
// last line should the code ever be wrong.
import { randomBytes } from "node:crypto";
import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import {
  ipAddresses,
  ipSubnets,
  networks,
  type IpAddressRow,
  type IpSubnetRow,
  type NetworkRow,
} from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type Actor, type DomainContext } from "../context";
import { isDuplicateKey } from "../db-errors";
import { DomainError, forbidden, notFound } from "../errors";
import { assertMayActOn, visibleRowsOf } from "../policies/authorize";
import { findFreeBlock, formatIpv4 } from "./ipv4";
import { generateMac } from "./mac";
import { msg, type Message } from "@/common/message";
import { reserveQuota } from "../quotas/reserve-quota";

/** A Drizzle transaction (or the database) — the functions below run inside their caller's transaction. */
type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Locks the network row until the transaction ends; every address-space change goes through here. */
export async function lockNetwork(tx: Tx, networkId: string): Promise<NetworkRow> {
  const [row] = await tx.select().from(networks).where(eq(networks.id, networkId)).for("update");
  if (!row) throw notFound("network");
  return row;
}

/** Reserved or confirmed subnets hold their block; expired ones have returned it to the pool. */
export const isLive = (s: IpSubnetRow, now: Date) =>
  s.state === "confirmed" || (s.state === "reserved" && (!s.expiresAt || s.expiresAt > now));

export const subnetCidr = (s: Pick<IpSubnetRow, "firstAddr" | "size">) =>
  `${formatIpv4(s.firstAddr)}/${32 - Math.log2(s.size)}`;

function describeExpired(s: IpSubnetRow): Message {
  return msg("networks.subnetExpired", {
    cidr: subnetCidr(s),
    owner: s.owner,
    at: s.expiresAt ? s.expiresAt.toISOString() : "—",
  });
}

export interface SubnetView {
  id: number;
  networkId: string;
  owner: string;
  cidr: string;
  size: number;
  /** Addresses an owner can use: the block minus its own network and broadcast addresses. */
  usable: number;
  state: IpSubnetRow["state"];
  expiresAt: Date | null;
  createdAt: Date;
}

export function toSubnetView(s: IpSubnetRow, now = new Date()): SubnetView {
  const state = s.state === "reserved" && s.expiresAt && s.expiresAt <= now ? "expired" : s.state;
  return {
    id: s.id,
    networkId: s.networkId,
    owner: s.owner,
    cidr: subnetCidr(s),
    size: s.size,
    usable: s.size - 2,
    state,
    expiresAt: state === "reserved" ? s.expiresAt : null,
    createdAt: s.createdAt,
  };
}

/** Creates a subnet of `size` addresses for `owner`; it expires unless confirmed within the timeout. */
export async function carveSubnet(
  ctx: DomainContext,
  input: { networkId: string; owner: string; size: number; timeoutSeconds?: number },
): Promise<SubnetView> {
  const actor = requireActor(ctx);
  const timeout = input.timeoutSeconds ?? ctx.settings.subnetTimeoutSeconds;
  const id = await ctx.db.transaction(async (tx) => {
    const network = await lockNetwork(tx, input.networkId);
    if (network.kind === "infrastructure" && actor.role !== "superAdm")
      throw forbidden(msg("networks.infraSubnetsSuperAdm"));
    const now = new Date();
    const subnets = await tx.select().from(ipSubnets).where(eq(ipSubnets.networkId, network.id));
    const mine = subnets.find((s) => s.owner === input.owner);
    if (mine && isLive(mine, now))
      throw new DomainError(
        "CONFLICT",
        msg("networks.ownerHasSubnet", { owner: input.owner, cidr: subnetCidr(mine), network: network.name }),
        { owner: msg("field.hasSubnetHere") },
      );
    if (mine) await tx.delete(ipSubnets).where(eq(ipSubnets.id, mine.id)); // an expired one: its block is free again

    const used = await tx
      .select({ addr: ipAddresses.addr })
      .from(ipAddresses)
      .where(eq(ipAddresses.networkId, network.id));
    const gateway = subnetsGateway(network);
    // A block may share its first and last address with the network's (they are the block's own
    // network and broadcast addresses, never handed out); the gateway must stay outside.
    const taken = [
      { first: gateway, last: gateway },
      ...subnets
        .filter((s) => s !== mine && isLive(s, now))
        .map((s) => ({ first: s.firstAddr, last: s.firstAddr + s.size - 1 })),
      ...used.map((u) => ({ first: u.addr, last: u.addr })),
    ];
    const start = findFreeBlock({ first: network.firstAddr, last: network.lastAddr }, input.size, taken);
    if (start === null)
      throw new DomainError(
        "CONFLICT",
        msg("networks.noFreeBlock", { network: network.name, size: input.size }),
      );
    const [res] = await tx.insert(ipSubnets).values({
      networkId: network.id,
      owner: input.owner,
      size: input.size,
      firstAddr: start,
      state: "reserved",
      expiresAt: new Date(now.getTime() + timeout * 1000),
      createdBy: actor.id,
    });
    return res.insertId;
  });
  return toSubnetView((await ctx.db.select().from(ipSubnets).where(eq(ipSubnets.id, id)))[0]!);
}

const subnetsGateway = (n: NetworkRow) =>
  Number(n.gateway.split(".").reduce((a, p) => a * 256 + Number(p), 0));

async function loadSubnetForActor(tx: Tx | Database, ctx: DomainContext, id: number): Promise<IpSubnetRow> {
  const actor = requireActor(ctx);
  const [s] = await tx.select().from(ipSubnets).where(eq(ipSubnets.id, id));
  if (!s) throw notFound("subnet");
  assertMayActOn(actor, "ipam", s);
  return s;
}

/** The owner was created for real: the subnet is theirs until deleted. */
export async function confirmSubnet(ctx: DomainContext, id: number): Promise<SubnetView> {
  const s = await loadSubnetForActor(ctx.db, ctx, id);
  await ctx.db.transaction(async (tx) => {
    await lockNetwork(tx, s.networkId);
    const [fresh] = await tx.select().from(ipSubnets).where(eq(ipSubnets.id, id));
    if (!fresh) throw notFound("subnet");
    if (!isLive(fresh, new Date())) throw new DomainError("CONFLICT", describeExpired(fresh));
    await tx
      .update(ipSubnets)
      .set({ state: "confirmed", expiresAt: null, confirmedAt: new Date() })
      .where(eq(ipSubnets.id, id));
  });
  return toSubnetView((await ctx.db.select().from(ipSubnets).where(eq(ipSubnets.id, id)))[0]!);
}

/** Returns the block to the pool; refused while addresses in it are allocated (they are named). */
export async function deleteSubnet(ctx: DomainContext, id: number): Promise<void> {
  const s = await loadSubnetForActor(ctx.db, ctx, id);
  await ctx.db.transaction(async (tx) => {
    await lockNetwork(tx, s.networkId);
    const inUse = await tx
      .select({ ip: ipAddresses.ip, label: ipAddresses.label })
      .from(ipAddresses)
      .where(eq(ipAddresses.subnetId, id))
      .limit(6);
    if (inUse.length) {
      const names = inUse
        .slice(0, 5)
        .map((a) => `${a.ip}${a.label ? ` (${a.label})` : ""}`)
        .join(", ");
      throw new DomainError(
        "CONFLICT",
        msg("networks.subnetInUse", { names: `${names}${inUse.length > 5 ? ", …" : ""}` }),
      );
    }
    await tx.delete(ipSubnets).where(eq(ipSubnets.id, id));
  });
}

/** The scheduled sweep: reserved subnets past their time return to the pool. Returns how many. */
export async function expireSubnets(db: Database, now = new Date()): Promise<number> {
  const [res] = await db
    .update(ipSubnets)
    .set({ state: "expired" })
    .where(and(eq(ipSubnets.state, "reserved"), lte(ipSubnets.expiresAt, now)));
  return res.affectedRows;
}

export interface AllocateRequest {
  network: NetworkRow;
  kind: IpAddressRow["kind"];
  ownerId: number | null;
  label: string | null;
  subnetId?: number;
  /**
   * Who takes the address: with a subnet, it must be one the ipam policy lets them act on (its carver or
   * a superAdm), so nobody fills or squats another owner's block by naming its id.
   */
  usedBy?: Actor;
  instanceId?: string;
  nicIndex?: number;
}

/** A tap name unique across the installation: "ectap" + 10 hex digits (15 characters, Linux's limit). */
export const generateTapName = () => `ectap${randomBytes(5).toString("hex")}`;

/**
 * Takes the lowest free address (of the subnet, if given) inside the caller's transaction, which must
 * hold the network's lock (lockNetwork). Never the network, broadcast or gateway address.
 */
export async function allocateInLockedNetwork(tx: Tx, req: AllocateRequest): Promise<IpAddressRow> {
  const { network } = req;
  const now = new Date();
  let first = network.firstAddr + 1;
  let last = network.lastAddr - 1;
  let excluded: { first: number; last: number }[] = [];
  if (req.subnetId !== undefined) {
    const [s] = await tx.select().from(ipSubnets).where(eq(ipSubnets.id, req.subnetId));
    if (!s || s.networkId !== network.id)
      throw new DomainError("INVALID", msg("networks.noSuchSubnet", { network: network.name }), {
        subnetId: msg("field.notSubnetOfNetwork"),
      });
    if (!req.usedBy) throw new Error("an address from a subnet needs the actor who takes it (usedBy)");
    assertMayActOn(req.usedBy, "ipam", s);
    if (!isLive(s, now)) throw new DomainError("CONFLICT", describeExpired(s));
    first = s.firstAddr + 1;
    last = s.firstAddr + s.size - 2;
  } else {
    const live = (await tx.select().from(ipSubnets).where(eq(ipSubnets.networkId, network.id))).filter((s) =>
      isLive(s, now),
    );
    excluded = live.map((s) => ({ first: s.firstAddr, last: s.firstAddr + s.size - 1 }));
  }
  const used = new Set(
    (
      await tx
        .select({ addr: ipAddresses.addr })
        .from(ipAddresses)
        .where(
          and(eq(ipAddresses.networkId, network.id), sql`${ipAddresses.addr} BETWEEN ${first} AND ${last}`),
        )
    ).map((r) => r.addr),
  );
  const gateway = subnetsGateway(network);
  let addr: number | null = null;
  for (let a = first; a <= last; a++) {
    if (a === gateway || used.has(a) || excluded.some((r) => a >= r.first && a <= r.last)) continue;
    addr = a;
    break;
  }
  if (addr === null) {
    throw new DomainError(
      "CONFLICT",
      req.subnetId !== undefined
        ? msg("networks.subnetFull", { subnet: formatIpv4(first - 1) })
        : msg("networks.networkFull", { network: network.name, cidr: network.cidr }),
    );
  }
  // A MAC or tap collision is astronomically rare but possible; the unique index catches it, we retry.
  for (let attempt = 0; ; attempt++) {
    const values = {
      networkId: network.id,
      addr,
      ip: formatIpv4(addr),
      mac: generateMac(),
      kind: req.kind,
      instanceId: req.instanceId ?? null,
      nicIndex: req.nicIndex ?? null,
      tap: req.kind === "instance" ? generateTapName() : null,
      subnetId: req.subnetId ?? null,
      ownerId: req.ownerId,
      label: req.label,
    };
    try {
      const [res] = await tx.insert(ipAddresses).values(values);
      return { ...values, id: res.insertId, createdAt: now };
    } catch (err) {
      // Only a MAC or tap clash is retried; a duplicate address would be a locking bug and must surface.
      const dupMacOrTap =
        isDuplicateKey(err) &&
        /ip_addresses_(mac|tap)_uq/.test(
          String((err as { cause?: Error }).cause?.message ?? (err as Error).message),
        );
      if (!dupMacOrTap || attempt >= 4) throw err;
    }
  }
}

/** An address for infrastructure (a router, a controller…): superAdm only, checked by the procedure. */
export async function allocateInfrastructureAddress(
  ctx: DomainContext,
  input: { networkId: string; label: string; subnetId?: number },
): Promise<IpAddressRow> {
  const actor = requireActor(ctx);
  return ctx.db.transaction(async (tx) => {
    // The address counts for the one who takes it; their quota lock comes before the network's.
    await reserveQuota(tx, {
      owners: [{ ownerId: actor.id, add: { ipAddresses: 1 } }],
      groupId: null,
      requestedBy: actor.id,
    });
    const network = await lockNetwork(tx, input.networkId);
    return allocateInLockedNetwork(tx, {
      network,
      kind: "infrastructure",
      ownerId: actor.id,
      label: input.label,
      subnetId: input.subnetId,
      usedBy: actor,
    });
  });
}

export async function releaseInfrastructureAddress(ctx: DomainContext, id: number): Promise<void> {
  requireActor(ctx);
  const [a] = await ctx.db.select().from(ipAddresses).where(eq(ipAddresses.id, id));
  if (!a) throw notFound("address");
  if (a.kind !== "infrastructure")
    throw new DomainError("CONFLICT", msg("networks.addressOfNic", { ip: a.ip }));
  await ctx.db.delete(ipAddresses).where(and(eq(ipAddresses.id, id), isNull(ipAddresses.instanceId)));
}

/** Deletes the NIC addresses of instances (after DELETED); returns the networks that changed. */
export async function releaseInstanceAddresses(db: Database, instanceIds: string[]): Promise<string[]> {
  if (!instanceIds.length) return [];
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: ipAddresses.id, networkId: ipAddresses.networkId })
      .from(ipAddresses)
      .where(inArray(ipAddresses.instanceId, instanceIds));
    const networkIds = [...new Set(rows.map((r) => r.networkId))].sort();
    for (const n of networkIds) await lockNetwork(tx, n);
    if (rows.length)
      await tx.delete(ipAddresses).where(
        inArray(
          ipAddresses.id,
          rows.map((r) => r.id),
        ),
      );
    if (networkIds.length)
      await tx
        .update(networks)
        .set({ revision: sql`${networks.revision} + 1` })
        .where(inArray(networks.id, networkIds));
    return networkIds;
  });
}

/** Subnets the caller carved (every subnet for superAdm), newest first, with their network's name. */
export async function listSubnets(
  ctx: DomainContext,
  input: { networkId?: string },
): Promise<(SubnetView & { networkName: string })[]> {
  const actor = requireActor(ctx);
  const conds = [
    input.networkId ? eq(ipSubnets.networkId, input.networkId) : undefined,
    visibleRowsOf(actor, "ipam", ctx.db) ?? undefined,
  ].filter((c) => c !== undefined);
  const rows = await ctx.db
    .select({ s: ipSubnets, networkName: networks.name })
    .from(ipSubnets)
    .innerJoin(networks, eq(networks.id, ipSubnets.networkId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(sql`${ipSubnets.id} desc`)
    .limit(1000);
  const now = new Date();
  return rows.map(({ s, networkName }) => ({ ...toSubnetView(s, now), networkName }));
}
