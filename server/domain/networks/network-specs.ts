// Builds what an agent must apply for one network on one host, from the portal's state, and hands it
// over. The spec is complete (every reservation and forward of that host), so applying it is idempotent.
import { and, eq, inArray, ne } from "drizzle-orm";
import type { NetworkSpec } from "@/agents/protocol";
import { instances, ipAddresses, networks, portForwards, type NetworkRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { JobPort } from "../context";

/** DHCP host names: the instance name made safe, or nothing. */
export function toDhcpHostname(name: string): string | undefined {
  const h = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return h || undefined;
}

export async function buildNetworkSpec(
  db: Database,
  network: NetworkRow,
  hostId: string,
): Promise<NetworkSpec> {
  const nics = await db
    .select({ ip: ipAddresses.ip, mac: ipAddresses.mac, name: instances.name })
    .from(ipAddresses)
    .innerJoin(instances, eq(instances.id, ipAddresses.instanceId))
    .where(
      and(
        eq(ipAddresses.networkId, network.id),
        eq(instances.hostId, hostId),
        ne(instances.state, "DELETED"),
      ),
    );
  const forwards = await db
    .select({
      protocol: portForwards.protocol,
      hostPort: portForwards.hostPort,
      guestPort: portForwards.guestPort,
      ip: ipAddresses.ip,
    })
    .from(portForwards)
    .innerJoin(ipAddresses, eq(ipAddresses.id, portForwards.addressId))
    .where(and(eq(ipAddresses.networkId, network.id), eq(portForwards.hostId, hostId)));
  return {
    id: network.id,
    name: network.name,
    revision: network.revision,
    bridge: network.bridge,
    cidr: network.cidr,
    gateway: network.gateway,
    dnsServers: network.dnsServers,
    vlanId: network.vlanId,
    uplink: network.uplink,
    nat: network.nat,
    reservations: nics.map((n) => ({ mac: n.mac, ip: n.ip, hostname: toDhcpHostname(n.name) })),
    portForwards: forwards.map((f) => ({
      protocol: f.protocol,
      hostPort: f.hostPort,
      guestIp: f.ip,
      guestPort: f.guestPort,
    })),
  };
}

/**
 * Sends the current spec of each network to a host. `reason` keeps job ids distinct where the same
 * revision must be applied again (an agent restarted and lost everything).
 */
export async function pushNetworks(
  deps: { db: Database; jobs: JobPort },
  hostId: string,
  networkIds: string[],
  reason = "change",
): Promise<void> {
  if (!networkIds.length) return;
  const rows = await deps.db
    .select()
    .from(networks)
    .where(inArray(networks.id, [...new Set(networkIds)]));
  for (const network of rows) {
    const spec = await buildNetworkSpec(deps.db, network, hostId);
    const suffix = reason === "change" ? "" : `-${reason}-${Date.now()}`;
    await deps.jobs.enqueue(
      hostId,
      "network.apply",
      { network: spec },
      `net-${network.id}-r${network.revision}-${hostId}${suffix}`,
    );
  }
}

/** Every network with a NIC of a live instance on the host: what a restarted agent must rebuild. */
export async function networksOnHost(db: Database, hostId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ networkId: ipAddresses.networkId })
    .from(ipAddresses)
    .innerJoin(instances, eq(instances.id, ipAddresses.instanceId))
    .where(and(eq(instances.hostId, hostId), ne(instances.state, "DELETED")));
  return rows.map((r) => r.networkId);
}
