// Port forwards: a host port leads to a port of one of the instance's NICs. powerUser and up, on
// their own instances (or ones of a group they administer); the procedure checks the role, this the object.
import { and, eq, sql } from "drizzle-orm";
import { hosts, ipAddresses, networks, portForwards } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { isDuplicateKey } from "../db-errors";
import { DomainError, notFound } from "../errors";
import { loadInstanceForActor } from "../instances/find-instances";
import { lockNetwork } from "./ipam";
import { pushNetworks } from "./network-specs";
import { msg } from "@/common/message";

export interface PortForwardView {
  id: number;
  instanceId: string;
  protocol: "tcp" | "udp";
  hostPort: number;
  guestPort: number;
  guestIp: string;
  host: { id: string; name: string };
  createdAt: Date;
}

export async function listPortForwards(ctx: DomainContext, instanceId: string): Promise<PortForwardView[]> {
  await loadInstanceForActor(ctx, instanceId);
  const rows = await ctx.db
    .select({ f: portForwards, ip: ipAddresses.ip, hostName: hosts.name })
    .from(portForwards)
    .innerJoin(ipAddresses, eq(ipAddresses.id, portForwards.addressId))
    .innerJoin(hosts, eq(hosts.id, portForwards.hostId))
    .where(eq(portForwards.instanceId, instanceId));
  return rows.map(({ f, ip, hostName }) => ({
    id: f.id,
    instanceId: f.instanceId,
    protocol: f.protocol,
    hostPort: f.hostPort,
    guestPort: f.guestPort,
    guestIp: ip,
    host: { id: f.hostId, name: hostName },
    createdAt: f.createdAt,
  }));
}

export async function addPortForward(
  ctx: DomainContext,
  input: {
    instanceId: string;
    protocol: "tcp" | "udp";
    hostPort: number;
    guestPort: number;
    nicIndex: number;
  },
): Promise<PortForwardView> {
  const actor = requireActor(ctx);
  const inst = await loadInstanceForActor(ctx, input.instanceId);
  if (inst.state === "DELETED" || inst.state === "DELETING")
    throw new DomainError("CONFLICT", msg("instances.beingDeleted"));
  if (!inst.hostId) throw new DomainError("CONFLICT", msg("instances.noHostYet"));
  const [min, max] = ctx.settings.portForwardRange;
  if (input.hostPort < min || input.hostPort > max) {
    throw new DomainError("INVALID", msg("networks.portRange", { min, max }), {
      hostPort: msg("field.portRange", { min, max }),
    });
  }
  const [nic] = await ctx.db
    .select()
    .from(ipAddresses)
    .where(and(eq(ipAddresses.instanceId, inst.id), eq(ipAddresses.nicIndex, input.nicIndex)));
  if (!nic)
    throw new DomainError("INVALID", msg("networks.noSuchNic"), {
      nicIndex: msg("field.noSuchNic"),
    });
  const hostId = inst.hostId;
  let id: number;
  try {
    id = await ctx.db.transaction(async (tx) => {
      await lockNetwork(tx, nic.networkId);
      const [res] = await tx.insert(portForwards).values({
        instanceId: inst.id,
        addressId: nic.id,
        hostId,
        protocol: input.protocol,
        hostPort: input.hostPort,
        guestPort: input.guestPort,
        createdBy: actor.id,
      });
      await tx
        .update(networks)
        .set({ revision: sql`${networks.revision} + 1` })
        .where(eq(networks.id, nic.networkId));
      return res.insertId;
    });
  } catch (err) {
    if (isDuplicateKey(err)) {
      // the only unique index a new forward can hit: (host, protocol, host port)
      throw new DomainError(
        "CONFLICT",
        msg("networks.portForwarded", { port: input.hostPort, protocol: input.protocol }),
        {
          hostPort: msg("field.alreadyForwarded"),
        },
      );
    }
    throw err;
  }
  await pushNetworks(ctx, hostId, [nic.networkId]);
  return (await listPortForwards(ctx, inst.id)).find((f) => f.id === id)!;
}

export async function removePortForward(ctx: DomainContext, id: number): Promise<void> {
  const [f] = await ctx.db
    .select({ f: portForwards, networkId: ipAddresses.networkId })
    .from(portForwards)
    .innerJoin(ipAddresses, eq(ipAddresses.id, portForwards.addressId))
    .where(eq(portForwards.id, id));
  if (!f) throw notFound("portForward");
  await loadInstanceForActor(ctx, f.f.instanceId); // not yours → forbidden, before anything changes
  await ctx.db.transaction(async (tx) => {
    await lockNetwork(tx, f.networkId);
    await tx.delete(portForwards).where(eq(portForwards.id, id));
    await tx
      .update(networks)
      .set({ revision: sql`${networks.revision} + 1` })
      .where(eq(networks.id, f.networkId));
  });
  await pushNetworks(ctx, f.f.hostId, [f.networkId]);
}
