// Wire format of host networking: what the portal tells an agent to build for one network on its host.
// The portal's IPAM is the source of truth; the agent only makes the host match the spec it is sent.
import { z } from "zod";

const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, "an IPv4 address");
/** Locally administered, unicast (second-lowest bit of the first octet set, lowest clear). */
export const macSchema = z
  .string()
  .regex(/^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/, "a locally administered unicast MAC in lower case");
/** Linux interface names are at most 15 characters. */
export const ifnameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/, "a Linux interface name (≤15 characters)");

/**
 * Bridges eduCloud makes are all named "ecbr…": an agent touches no other bridge, so a job cannot turn
 * the host's own bridge (br0, virbr0, the management LAN) into a guest network.
 */
export const bridgeNameSchema = z
  .string()
  .regex(/^ecbr[0-9a-z]{1,11}$/, 'an eduCloud bridge name ("ecbr" and up to 11 letters or digits)');

/** IPv4 CIDR with any prefix (0–32); host bits are allowed and ignored. */
const cidrSchema = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/,
    "an IPv4 CIDR",
  );

export const portForwardSpecSchema = z.object({
  protocol: z.enum(["tcp", "udp"]),
  hostPort: z.number().int().min(1).max(65535),
  guestIp: ipv4,
  guestPort: z.number().int().min(1).max(65535),
});
export type PortForwardSpec = z.infer<typeof portForwardSpecSchema>;

export const dhcpReservationSchema = z.object({
  mac: macSchema,
  ip: ipv4,
  /** DHCP host name offered to the guest (lower-case letters, digits, '-'). */
  hostname: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/)
    .optional(),
});
export type DhcpReservation = z.infer<typeof dhcpReservationSchema>;

/**
 * Everything one host needs for one network. Applying it is idempotent and complete: reservations and
 * forwards not in the spec are removed. `revision` grows with every change of the network's state in
 * the portal; an agent ignores a spec older than the last one it applied (jobs may be built out of order).
 */
export const networkSpecSchema = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(64),
  revision: z.number().int().min(0),
  /** The bridge on the host, chosen by the portal (unique per network, ≤15 characters). */
  bridge: bridgeNameSchema,
  cidr: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/),
  /** Put on the bridge: guests use the host as their gateway (and DHCP server). */
  gateway: ipv4,
  dnsServers: z.array(ipv4).max(4),
  /** 802.1q: traffic leaves through `<uplink>.<vlanId>` enslaved to the bridge. Needs `uplink`. */
  vlanId: z.number().int().min(1).max(4094).nullable(),
  /** A host interface enslaved to the bridge (or carrying its VLAN); null = a host-only network. */
  uplink: ifnameSchema.nullable(),
  /** Masquerade guests' traffic that leaves the host through any interface other than the bridge. */
  nat: z.boolean(),
  reservations: z.array(dhcpReservationSchema).max(65536),
  portForwards: z.array(portForwardSpecSchema).max(4096),
  /**
   * Destinations guests may not reach through the host, routed or NATed (`a.b.c.d/n`). Absent: the
   * agent's default, every private, shared and link-local range (where a school's management network,
   * its servers and the portal live); `[]` blocks nothing more. The host's own addresses and other
   * eduCloud networks are refused whatever this says.
   */
  blockedEgress: z.array(cidrSchema).max(256).optional(),
});
export type NetworkSpec = z.infer<typeof networkSpecSchema>;

/** One NIC of a VM: its tap on the host is plugged into the network's bridge. */
export const nicSpecSchema = z.object({
  /** The tap device name on the host, chosen by the portal (unique, ≤15 characters). */
  tap: ifnameSchema,
  mac: macSchema,
  ip: ipv4,
  network: networkSpecSchema,
});
export type NicSpec = z.infer<typeof nicSpecSchema>;

export const applyNetworkJob = z.object({ network: networkSpecSchema });
export const removeNetworkJob = z.object({
  networkId: z.uuid(),
  bridge: bridgeNameSchema,
  /**
   * Newer than every spec sent before the network was deleted: an apply still in flight (an address
   * released just before the delete) must not build the network again after its removal.
   */
  revision: z.number().int().min(0).optional(),
});
