// Networks: superAdm defines them; hosts build them on demand when a VM needs them.
import { randomBytes, randomUUID } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import {
  hosts,
  ipAddresses,
  ipSubnets,
  namedLocks,
  networkHosts,
  networkHostStates,
  networks,
  type NetworkRow,
} from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { formatIpv4, parseCidr, parseIpv4, rangesOverlap } from "./ipv4";
import { isLive } from "./ipam";
import { pushNetworks } from "./network-specs";
import type { createNetworkInput, updateNetworkInput } from "./schemas";
import { msg } from "@/common/message";

/** "ecbr" + 10 hex digits: unique per network, within Linux's 15-character interface names. */
const generateBridgeName = () => `ecbr${randomBytes(5).toString("hex")}`;

export async function createNetwork(
  ctx: DomainContext,
  input: z.output<typeof createNetworkInput>,
): Promise<NetworkRow> {
  const actor = requireActor(ctx);
  const parsed = parseCidr(input.cidr);
  if (!parsed.ok) throw new DomainError("INVALID", parsed.message, { cidr: parsed.message });
  const { cidr } = parsed;
  const gatewayText = input.gateway ?? formatIpv4(cidr.first + 1);
  const gateway = parseIpv4(gatewayText)!;
  if (gateway <= cidr.first || gateway >= cidr.last) {
    throw new DomainError("INVALID", msg("networks.gatewayOutside", { cidr: cidr.text }), {
      gateway: msg("field.notHostAddressOf", { cidr: cidr.text }),
    });
  }
  const id = randomUUID();
  await ctx.db.transaction(async (tx) => {
    // Overlap is a property of the whole table: serialise network creation on one lock row.
    await tx.select().from(namedLocks).where(eq(namedLocks.name, "networks")).for("update");
    const existing = await tx.select().from(networks);
    const clash = existing.find((n) => rangesOverlap({ first: n.firstAddr, last: n.lastAddr }, cidr));
    if (clash) {
      const overlap = msg("networks.overlaps", {
        cidr: cidr.text,
        network: clash.name,
        networkCidr: clash.cidr,
      });
      throw new DomainError("CONFLICT", overlap, { cidr: overlap });
    }
    if (existing.some((n) => n.name === input.name))
      throw new DomainError("CONFLICT", msg("networks.nameTaken", { name: input.name }), {
        name: msg("field.nameTaken"),
      });
    if (
      input.vlanId !== null &&
      existing.some((n) => n.vlanId === input.vlanId && n.uplink === input.uplink)
    ) {
      throw new DomainError(
        "CONFLICT",
        msg("networks.vlanUsed", { vlanId: input.vlanId, uplink: input.uplink ?? "" }),
        { vlanId: msg("field.vlanUsed") },
      );
    }
    await tx.insert(networks).values({
      id,
      name: input.name,
      cidr: cidr.text,
      firstAddr: cidr.first,
      lastAddr: cidr.last,
      prefixLength: cidr.prefix,
      gateway: gatewayText,
      dnsServers: input.dnsServers,
      vlanId: input.vlanId,
      uplink: input.uplink,
      kind: input.kind,
      nat: input.nat,
      allHosts: input.hostIds.length === 0,
      bridge: generateBridgeName(),
      createdBy: actor.id,
    });
    if (input.hostIds.length) {
      const found = await tx.select({ id: hosts.id }).from(hosts).where(inArray(hosts.id, input.hostIds));
      if (found.length !== new Set(input.hostIds).size)
        throw new DomainError("INVALID", msg("networks.unknownHost"), {
          hostIds: msg("field.unknownHost"),
        });
      await tx.insert(networkHosts).values(input.hostIds.map((hostId) => ({ networkId: id, hostId })));
    }
  });
  return (await ctx.db.select().from(networks).where(eq(networks.id, id)))[0]!;
}

/** DNS, NAT and host choice can change under running VMs; address space and VLAN cannot. */
export async function updateNetwork(
  ctx: DomainContext,
  input: z.output<typeof updateNetworkInput>,
): Promise<NetworkRow> {
  requireActor(ctx);
  const carriers = await ctx.db.transaction(async (tx) => {
    const [n] = await tx.select().from(networks).where(eq(networks.id, input.id)).for("update");
    if (!n) throw notFound("network");
    const patch: Partial<NetworkRow> = { revision: n.revision + 1 };
    if (input.dnsServers) patch.dnsServers = input.dnsServers;
    if (input.nat !== undefined) patch.nat = input.nat;
    if (input.hostIds) {
      patch.allHosts = input.hostIds.length === 0;
      await tx.delete(networkHosts).where(eq(networkHosts.networkId, n.id));
      if (input.hostIds.length)
        await tx.insert(networkHosts).values(input.hostIds.map((hostId) => ({ networkId: n.id, hostId })));
    }
    await tx.update(networks).set(patch).where(eq(networks.id, n.id));
    return (
      await tx
        .select({ hostId: networkHostStates.hostId })
        .from(networkHostStates)
        .where(eq(networkHostStates.networkId, n.id))
    ).map((r) => r.hostId);
  });
  for (const hostId of carriers) await pushNetworks(ctx, hostId, [input.id]);
  return (await ctx.db.select().from(networks).where(eq(networks.id, input.id)))[0]!;
}

/** Refused while any address or live subnet remains; then every host that built it tears it down. */
export async function deleteNetwork(ctx: DomainContext, id: string): Promise<void> {
  requireActor(ctx);
  const { bridge, revision, carriers } = await ctx.db.transaction(async (tx) => {
    const [n] = await tx.select().from(networks).where(eq(networks.id, id)).for("update");
    if (!n) throw notFound("network");
    const [{ count }] = (await tx
      .select({ count: sql<number>`count(*)` })
      .from(ipAddresses)
      .where(eq(ipAddresses.networkId, id))) as [{ count: number }];
    if (Number(count) > 0)
      throw new DomainError(
        "CONFLICT",
        msg("networks.addressesInUse", { network: n.name, count: Number(count) }),
      );
    const now = new Date();
    const live = (await tx.select().from(ipSubnets).where(eq(ipSubnets.networkId, id))).filter((s) =>
      isLive(s, now),
    );
    if (live.length)
      throw new DomainError(
        "CONFLICT",
        msg("networks.subnetsLeft", {
          network: n.name,
          owners: live
            .slice(0, 5)
            .map((s) => `"${s.owner}"`)
            .join(", "),
        }),
      );
    const carriers = (
      await tx
        .select({ hostId: networkHostStates.hostId })
        .from(networkHostStates)
        .where(eq(networkHostStates.networkId, id))
    ).map((r) => r.hostId);
    await tx.delete(networks).where(eq(networks.id, id));
    return { bridge: n.bridge, revision: n.revision + 1, carriers };
  });
  for (const hostId of carriers) {
    await ctx.jobs.enqueue(
      hostId,
      "network.remove",
      { networkId: id, bridge, revision },
      `net-remove-${id}-${hostId}`,
    );
  }
}
