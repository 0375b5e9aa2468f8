import { sql } from "drizzle-orm";
import { IMAGE_SOURCE_FORMATS, IMAGE_VISIBILITIES } from "@/common/images";
import {
  bigint,
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
import type { Hardware, HostFacts } from "@/agents/protocol";
import type { Message } from "@/common/message";
import { INSTANCE_KINDS, INSTANCE_STATES } from "@/common/instance-states";
import { CLUSTER_KINDS } from "@/common/clusters";
import { groups, users } from "./identity";

const now = () => sql`CURRENT_TIMESTAMP(3)`;

/**
 * Hosts sorted by what they are for (docs/architecture.md, "Clusters"): the scheduler places a server only
 * on a host in no cluster or in a "servers" one, a desktop only in no cluster or a "desktops" one, and
 * nothing on "local" hosts (lab PCs running desktops themselves). A cluster goes only once it is empty.
 */
export const clusters = mysqlTable(
  "clusters",
  {
    id: int("id").autoincrement().primaryKey(),
    name: varchar("name", { length: 64 }).notNull(),
    kind: mysqlEnum("kind", CLUSTER_KINDS).notNull(),
    description: varchar("description", { length: 300 }).notNull().default(""),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [uniqueIndex("clusters_name_uq").on(t.name)],
);
export type ClusterRow = typeof clusters.$inferSelect;

export const hosts = mysqlTable(
  "hosts",
  {
    id: varchar("id", { length: 36 }).primaryKey(),
    name: varchar("name", { length: 64 }).notNull(),
    /** sha256 of the host's secret (a 256-bit random value: a fast hash is enough, unlike passwords). */
    secretHash: varchar("secret_hash", { length: 64 }).notNull(),
    enabled: boolean("enabled").notNull().default(true),
    cpuCount: int("cpu_count").notNull(),
    memoryMiB: int("memory_mib").notNull(),
    diskFreeBytes: bigint("disk_free_bytes", { mode: "number" }).notNull().default(0),
    kvmUsable: boolean("kvm_usable").notNull().default(false),
    facts: json("facts").$type<HostFacts>().notNull(),
    /**
     * Where the console proxy reaches this host's console bridge (ws://host:port). Pinned when the host
     * joins and changed only by an admin: heartbeats cannot move it, and users never see it.
     */
    consoleUrl: varchar("console_url", { length: 300 }),
    joinedAt: datetime("joined_at", { fsp: 3 }).notNull().default(now()),
    lastHeartbeatAt: datetime("last_heartbeat_at", { fsp: 3 }),
    /**
     * Set when an admin revoked the host: its credentials are refused everywhere from then on and it gets
     * no new work. A re-join token issued by "rotate credentials" brings it back with a new secret.
     */
    revokedAt: datetime("revoked_at", { fsp: 3 }),
    /** The last facts refused as implausible (what and why, as a message); the row kept the good ones. */
    factsRefused: json("facts_refused").$type<Message>(),
    factsRefusedAt: datetime("facts_refused_at", { fsp: 3 }),
    /**
     * Set by a superAdm (or by the join token the host joined with), never by the agent: heartbeats and
     * facts cannot move a host between clusters. No cascade: a cluster is deleted only once empty.
     */
    clusterId: int("cluster_id").references(() => clusters.id),
  },
  (t) => [uniqueIndex("hosts_name_uq").on(t.name)],
);

/**
 * Capacity held on each host by its live instances (every instance placed there until it is DELETED).
 * Triggers on `instances` keep it (migration 0006), in the same transaction as the change, whichever path
 * makes it — agent reports, actions, placement, an operator's SQL — so placement reads and locks one small
 * row per candidate host instead of summing every instance, and never locks the host rows heartbeats write.
 */
export const hostUsage = mysqlTable("host_usage", {
  hostId: varchar("host_id", { length: 36 })
    .primaryKey()
    .references(() => hosts.id, { onDelete: "cascade" }),
  vcpusUsed: int("vcpus_used").notNull().default(0),
  memoryMiBUsed: int("memory_mib_used").notNull().default(0),
  /** Sum of the live instances' flavor disks (GiB), whether or not the guests have written them yet. */
  diskGiBUsed: int("disk_gib_used").notNull().default(0),
  instanceCount: int("instance_count").notNull().default(0),
});
export type HostUsageRow = typeof hostUsage.$inferSelect;

export const hostJoinTokens = mysqlTable(
  "host_join_tokens",
  {
    id: int("id").autoincrement().primaryKey(),
    tokenHash: varchar("token_hash", { length: 64 }).notNull(),
    createdBy: int("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    expiresAt: datetime("expires_at", { fsp: 3 }).notNull(),
    usedAt: datetime("used_at", { fsp: 3 }),
    hostId: varchar("host_id", { length: 36 }),
    /** The cluster a host joining with this token lands in (a re-join keeps the host's own). Deleting the
     * cluster deletes its unused tokens too: a host meant for it must not land in no cluster instead. */
    clusterId: int("cluster_id").references(() => clusters.id, { onDelete: "cascade" }),
  },
  (t) => [uniqueIndex("host_join_tokens_hash_uq").on(t.tokenHash)],
);

export const flavors = mysqlTable(
  "flavors",
  {
    id: int("id").autoincrement().primaryKey(),
    name: varchar("name", { length: 64 }).notNull(),
    vcpus: int("vcpus").notNull(),
    memoryMiB: int("memory_mib").notNull(),
    diskGiB: int("disk_gib").notNull(),
    /**
     * A group's own flavor (its admins manage it, its members may launch it); null: a public flavor. No
     * cascade: instances refer to flavors, so a group goes only once its flavors are gone.
     */
    groupId: int("group_id").references(() => groups.id),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [uniqueIndex("flavors_name_uq").on(t.name)],
);

export const IMAGE_FORMATS = ["qcow2", "raw"] as const;
export { IMAGE_SOURCE_FORMATS, IMAGE_VISIBILITIES, type ImageSourceFormat } from "@/common/images";
export const images = mysqlTable(
  "images",
  {
    id: varchar("id", { length: 36 }).primaryKey(),
    name: varchar("name", { length: 128 }).notNull(),
    /** sha256 of the stored file: its name in the store, the agents' cache key and the download ETag. */
    sha256: varchar("sha256", { length: 64 }).notNull(),
    /** Format of the stored file as QEMU reads it. */
    format: mysqlEnum("format", IMAGE_FORMATS).notNull(),
    /** What was uploaded, and the sha256 of the uploaded bytes (before conversion). */
    sourceFormat: mysqlEnum("source_format", IMAGE_SOURCE_FORMATS).notNull().default("qcow2"),
    sourceSha256: varchar("source_sha256", { length: 64 }),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    virtualSizeBytes: bigint("virtual_size_bytes", { mode: "number" }).notNull(),
    visibility: mysqlEnum("visibility", IMAGE_VISIBILITIES).notNull().default("public"),
    ownerId: int("owner_id").references(() => users.id, { onDelete: "set null" }),
    groupId: int("group_id").references(() => groups.id, { onDelete: "set null" }),
    osType: varchar("os_type", { length: 64 }).notNull().default("linux"),
    /** The image family (the first version's id; null for images older than versions = their own id). */
    familyId: varchar("family_id", { length: 36 }),
    version: int("version").notNull().default(1),
    minDiskGiB: int("min_disk_gib").notNull().default(0),
    minRamMiB: int("min_ram_mib").notNull().default(0),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    /** Images are deleted softly: old instances (even deleted ones) keep referring to the row. */
    deletedAt: datetime("deleted_at", { fsp: 3 }),
  },
  (t) => [
    index("images_sha_idx").on(t.sha256),
    uniqueIndex("images_family_version_uq").on(t.familyId, t.version),
    // The paged list's sorts (keyset on sort column + id).
    index("images_name_idx").on(t.name, t.id),
    index("images_created_idx").on(t.createdAt, t.id),
  ],
);

export const HOST_IMAGE_STATES = ["fetching", "cached", "failed"] as const;
/** What each host has in its image cache (reported by the agent; used by the scheduler's weigher). */
export const hostImages = mysqlTable(
  "host_images",
  {
    hostId: varchar("host_id", { length: 36 })
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
    sha256: varchar("sha256", { length: 64 }).notNull(),
    cachedAt: datetime("cached_at", { fsp: 3 }).notNull().default(now()),
    state: mysqlEnum("state", HOST_IMAGE_STATES).notNull().default("cached"),
    percent: int("percent"),
    error: varchar("error", { length: 2000 }),
    updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
  },
  // The scheduler asks "which hosts have this image" by sha256 alone: the key's second column won't do.
  (t) => [primaryKey({ columns: [t.hostId, t.sha256] }), index("host_images_sha_idx").on(t.sha256)],
);

// The state list lives with its rules in common/ (the browser needs them too); the column enum follows it.
export { INSTANCE_STATES, type InstanceState } from "@/common/instance-states";

export const instances = mysqlTable(
  "instances",
  {
    id: varchar("id", { length: 36 }).primaryKey(),
    name: varchar("name", { length: 64 }).notNull(),
    ownerId: int("owner_id")
      .notNull()
      .references(() => users.id),
    /** The group the instance is managed in (powerAdm of this group may act on it). */
    groupId: int("group_id").references(() => groups.id, { onDelete: "set null" }),
    flavorId: int("flavor_id")
      .notNull()
      .references(() => flavors.id),
    imageId: varchar("image_id", { length: 36 })
      .notNull()
      .references(() => images.id),
    // Copied from the flavor at creation: the reservation must not change if the flavor is edited.
    vcpus: int("vcpus").notNull(),
    memoryMiB: int("memory_mib").notNull(),
    diskGiB: int("disk_gib").notNull(),
    hostId: varchar("host_id", { length: 36 }).references(() => hosts.id),
    state: mysqlEnum("state", INSTANCE_STATES).notNull().default("PENDING"),
    /** Only while an action is under way: "creating", "stopping", … with its progress. */
    task: varchar("task", { length: 32 }),
    progress: int("progress"),
    errorReason: varchar("error_reason", { length: 2000 }),
    accel: mysqlEnum("accel", ["kvm", "tcg", "none"]),
    /** Console viewers connected right now, as the host's last heartbeat counted them. */
    viewers: int("viewers").notNull().default(0),
    /** Bumped on every accepted action: part of the job id, so a repeated request is not run twice. */
    opSeq: int("op_seq").notNull().default(0),
    /** Machines made together for a class ("one per member"): removed together again by this id. */
    batchId: varchar("batch_id", { length: 36 }),
    /** server: launched by hand; desktop: a pool's desktop of a profile; admin: a profile's admin mode. */
    kind: mysqlEnum("kind", INSTANCE_KINDS).notNull().default("server"),
    /** Snapshot mode: the agent discards the disk's writes at every stop and reset. */
    throwaway: boolean("throwaway").notNull().default(false),
    /** The guest's virtual hardware (a profile's choice); null: the defaults (BIOS, virtio, tablet). */
    hardware: json("hardware").$type<Hardware>(),
    /** Desktops and admin mode: the profile and the version whose image the disk was made from. */
    profileId: int("profile_id"),
    profileVersion: int("profile_version"),
    /** A pool's desktop (pools.id; no foreign key: the pool's rows refer to this table). */
    poolId: int("pool_id"),
    /** The student a pool's desktop is handed to, until they release it (null: spare). */
    assignedTo: int("assigned_to").references(() => users.id, { onDelete: "set null" }),
    assignedAt: datetime("assigned_at", { fsp: 3 }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
    deletedAt: datetime("deleted_at", { fsp: 3 }),
  },
  (t) => [
    index("instances_owner_idx").on(t.ownerId, t.state),
    index("instances_host_idx").on(t.hostId, t.state),
    index("instances_group_idx").on(t.groupId),
    index("instances_batch_idx").on(t.batchId),
    index("instances_pool_idx").on(t.poolId, t.assignedTo),
    index("instances_assigned_idx").on(t.assignedTo),
    // The paged list (keyset on sort column + id): one index per sort, and per filter with the default sort.
    index("instances_created_idx").on(t.createdAt, t.id),
    index("instances_name_idx").on(t.name, t.id),
    index("instances_owner_created_idx").on(t.ownerId, t.createdAt),
    index("instances_group_created_idx").on(t.groupId, t.createdAt),
    index("instances_state_created_idx").on(t.state, t.createdAt),
  ],
);

export const instanceEvents = mysqlTable(
  "instance_events",
  {
    id: bigint("id", { mode: "number", unsigned: true }).autoincrement().primaryKey(),
    instanceId: varchar("instance_id", { length: 36 })
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    at: datetime("at", { fsp: 3 }).notNull().default(now()),
    kind: mysqlEnum("kind", ["action", "state", "progress", "error", "info"]).notNull(),
    /** English text: the fallback for rows written before codes, and for logs. */
    message: varchar("message", { length: 2000 }).notNull(),
    /** What happened as a stable code + parameters, rendered in the reader's language (server.* keys). */
    code: varchar("code", { length: 80 }),
    params: json("params").$type<Record<string, string | number>>(),
    fromState: mysqlEnum("from_state", INSTANCE_STATES),
    toState: mysqlEnum("to_state", INSTANCE_STATES),
    actorId: int("actor_id"),
  },
  (t) => [index("instance_events_idx").on(t.instanceId, t.id)],
);

export type HostRow = typeof hosts.$inferSelect;
export type FlavorRow = typeof flavors.$inferSelect;
export type ImageRow = typeof images.$inferSelect;
export type HostImageRow = typeof hostImages.$inferSelect;
export type InstanceRow = typeof instances.$inferSelect;
