// Networks and IPAM. IPv4 addresses are also stored as unsigned integers so ranges can be
// compared in SQL; uniqueness of addresses and MACs is the database's job, not the code's luck.
import { sql } from "drizzle-orm";
import {
  boolean,
  datetime,
  index,
  int,
  json,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  uniqueIndex,
  varchar,
} from "drizzle-orm/mysql-core";
import { NETWORK_KINDS } from "@/common/networks";
import { hosts, instances } from "./compute";
import { users } from "./identity";

const now = () => sql`CURRENT_TIMESTAMP(3)`;
const u32 = (name: string) => int(name, { unsigned: true });

/** Rows locked FOR UPDATE to serialise work that has no row of its own to lock (e.g. creating networks). */
export const namedLocks = mysqlTable("named_locks", {
  name: varchar("name", { length: 64 }).primaryKey(),
});

export const networks = mysqlTable(
  "networks",
  {
    id: varchar("id", { length: 36 }).primaryKey(),
    name: varchar("name", { length: 64 }).notNull(),
    cidr: varchar("cidr", { length: 18 }).notNull(),
    /** Network and broadcast address of the CIDR, as integers. */
    firstAddr: u32("first_addr").notNull(),
    lastAddr: u32("last_addr").notNull(),
    prefixLength: int("prefix_length").notNull(),
    gateway: varchar("gateway", { length: 15 }).notNull(),
    dnsServers: json("dns_servers").$type<string[]>().notNull(),
    vlanId: int("vlan_id"),
    /** Host interface the bridge is attached to (or carries the VLAN); null = host-only network. */
    uplink: varchar("uplink", { length: 15 }),
    kind: mysqlEnum("kind", NETWORK_KINDS).notNull().default("tenant"),
    nat: boolean("nat").notNull().default(true),
    /** true: every host carries it; false: only the hosts in network_hosts. */
    allHosts: boolean("all_hosts").notNull().default(true),
    /** The Linux bridge name on every host (≤15 characters). */
    bridge: varchar("bridge", { length: 15 }).notNull(),
    /** Bumped with every change agents must apply; agents ignore specs older than one they applied. */
    revision: int("revision").notNull().default(0),
    createdBy: int("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [uniqueIndex("networks_name_uq").on(t.name), uniqueIndex("networks_bridge_uq").on(t.bridge)],
);

/** The hosts that carry a network whose allHosts is false. */
export const networkHosts = mysqlTable(
  "network_hosts",
  {
    networkId: varchar("network_id", { length: 36 })
      .notNull()
      .references(() => networks.id, { onDelete: "cascade" }),
    hostId: varchar("host_id", { length: 36 })
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.networkId, t.hostId] })],
);

/** What each host last reported for a network (applied revision or the error). */
export const networkHostStates = mysqlTable(
  "network_host_states",
  {
    networkId: varchar("network_id", { length: 36 })
      .notNull()
      .references(() => networks.id, { onDelete: "cascade" }),
    hostId: varchar("host_id", { length: 36 })
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
    state: mysqlEnum("state", ["applied", "error"]).notNull(),
    revision: int("revision"),
    reason: varchar("reason", { length: 2000 }),
    updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [primaryKey({ columns: [t.networkId, t.hostId] })],
);

export { NETWORK_KINDS, SUBNET_SIZES } from "@/common/networks";
export const SUBNET_STATES = ["reserved", "confirmed", "expired"] as const;
/** A block carved out of a network for an owner (a project, a lab, a stack). */
export const ipSubnets = mysqlTable(
  "ip_subnets",
  {
    id: int("id").autoincrement().primaryKey(),
    networkId: varchar("network_id", { length: 36 })
      .notNull()
      .references(() => networks.id, { onDelete: "cascade" }),
    owner: varchar("owner", { length: 128 }).notNull(),
    size: int("size").notNull(),
    firstAddr: u32("first_addr").notNull(),
    state: mysqlEnum("state", SUBNET_STATES).notNull().default("reserved"),
    /** A reserved subnet returns to the pool at this time unless confirmed. */
    expiresAt: datetime("expires_at", { fsp: 3 }),
    createdBy: int("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    confirmedAt: datetime("confirmed_at", { fsp: 3 }),
  },
  (t) => [
    uniqueIndex("ip_subnets_owner_uq").on(t.networkId, t.owner),
    index("ip_subnets_expiry_idx").on(t.state, t.expiresAt),
  ],
);

export const ADDRESS_KINDS = ["instance", "infrastructure"] as const;
/** One allocated address: an instance NIC or an infrastructure address. */
export const ipAddresses = mysqlTable(
  "ip_addresses",
  {
    id: int("id").autoincrement().primaryKey(),
    networkId: varchar("network_id", { length: 36 })
      .notNull()
      .references(() => networks.id),
    addr: u32("addr").notNull(),
    ip: varchar("ip", { length: 15 }).notNull(),
    mac: varchar("mac", { length: 17 }).notNull(),
    kind: mysqlEnum("kind", ADDRESS_KINDS).notNull(),
    instanceId: varchar("instance_id", { length: 36 }).references(() => instances.id, {
      onDelete: "cascade",
    }),
    nicIndex: int("nic_index"),
    /** The tap device on the instance's host (instance NICs only). */
    tap: varchar("tap", { length: 15 }),
    subnetId: int("subnet_id").references(() => ipSubnets.id, { onDelete: "restrict" }),
    /** Who it belongs to: the instance's owner, or who allocated an infrastructure address. */
    ownerId: int("owner_id").references(() => users.id, { onDelete: "set null" }),
    label: varchar("label", { length: 128 }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [
    uniqueIndex("ip_addresses_addr_uq").on(t.networkId, t.addr),
    uniqueIndex("ip_addresses_mac_uq").on(t.mac),
    uniqueIndex("ip_addresses_tap_uq").on(t.tap),
    uniqueIndex("ip_addresses_nic_uq").on(t.instanceId, t.nicIndex),
    index("ip_addresses_subnet_idx").on(t.subnetId),
  ],
);

export const portForwards = mysqlTable(
  "port_forwards",
  {
    id: int("id").autoincrement().primaryKey(),
    instanceId: varchar("instance_id", { length: 36 })
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    addressId: int("address_id")
      .notNull()
      .references(() => ipAddresses.id, { onDelete: "cascade" }),
    hostId: varchar("host_id", { length: 36 })
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
    protocol: mysqlEnum("protocol", ["tcp", "udp"]).notNull(),
    hostPort: int("host_port").notNull(),
    guestPort: int("guest_port").notNull(),
    createdBy: int("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [
    uniqueIndex("port_forwards_host_port_uq").on(t.hostId, t.protocol, t.hostPort),
    index("port_forwards_instance_idx").on(t.instanceId),
  ],
);

export type NetworkRow = typeof networks.$inferSelect;
export type IpSubnetRow = typeof ipSubnets.$inferSelect;
export type IpAddressRow = typeof ipAddresses.$inferSelect;
export type PortForwardRow = typeof portForwards.$inferSelect;
