// Instance storage: snapshots of an instance's disk, data volumes on a host, and the captures
// of instances into images (whose progress is a row in `tasks`).
import { sql } from "drizzle-orm";
import { bigint, datetime, index, int, json, mysqlEnum, mysqlTable, varchar } from "drizzle-orm/mysql-core";
import { hosts, instances } from "./compute";
import { groups, users } from "./identity";
import { tasks } from "./storage";

const now = () => sql`CURRENT_TIMESTAMP(3)`;

/** creating → ready; ready → reverting → ready; ready → deleting → deleted; a failed create is error. */
export const SNAPSHOT_STATES = ["creating", "ready", "reverting", "deleting", "deleted", "error"] as const;
export type SnapshotState = (typeof SNAPSHOT_STATES)[number];

/** An internal snapshot of the instance's disk on its host, tagged there with this row's id. */
export const snapshots = mysqlTable(
  "snapshots",
  {
    id: varchar("id", { length: 36 }).primaryKey(),
    instanceId: varchar("instance_id", { length: 36 })
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    name: varchar("name", { length: 64 }).notNull(),
    state: mysqlEnum("state", SNAPSHOT_STATES).notNull().default("creating"),
    /** Disk usage of the instance's overlay when the snapshot was taken (what it keeps from being freed). */
    sizeBytes: bigint("size_bytes", { mode: "number" }),
    /** Why the last operation on it failed (a failed revert or delete leaves it ready, with the reason). */
    errorReason: varchar("error_reason", { length: 2000 }),
    /** The same as a code + parameters, rendered in the reader's language (errorReason: English fallback). */
    errorCode: varchar("error_code", { length: 80 }),
    errorParams: json("error_params").$type<Record<string, string | number>>(),
    createdBy: int("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
    deletedAt: datetime("deleted_at", { fsp: 3 }),
  },
  (t) => [index("snapshots_instance_idx").on(t.instanceId, t.createdAt)],
);

export const VOLUME_STATES = [
  "creating",
  "available",
  "attaching",
  "attached",
  "detaching",
  "deleting",
  "deleted",
  "error",
] as const;
export type VolumeState = (typeof VOLUME_STATES)[number];

/** A data disk (qcow2) on one host; it can be attached only to instances on that host. */
export const volumes = mysqlTable(
  "volumes",
  {
    id: varchar("id", { length: 36 }).primaryKey(),
    name: varchar("name", { length: 64 }).notNull(),
    ownerId: int("owner_id")
      .notNull()
      .references(() => users.id),
    groupId: int("group_id").references(() => groups.id, { onDelete: "set null" }),
    hostId: varchar("host_id", { length: 36 })
      .notNull()
      .references(() => hosts.id),
    sizeGiB: int("size_gib").notNull(),
    state: mysqlEnum("state", VOLUME_STATES).notNull().default("creating"),
    /** The instance it is attached to (or being attached to / detached from). */
    instanceId: varchar("instance_id", { length: 36 }).references(() => instances.id, {
      onDelete: "set null",
    }),
    errorReason: varchar("error_reason", { length: 2000 }),
    errorCode: varchar("error_code", { length: 80 }),
    errorParams: json("error_params").$type<Record<string, string | number>>(),
    /** Bumped on every accepted operation: part of the job id. */
    opSeq: int("op_seq").notNull().default(0),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
    deletedAt: datetime("deleted_at", { fsp: 3 }),
  },
  (t) => [
    index("volumes_owner_idx").on(t.ownerId, t.state),
    index("volumes_instance_idx").on(t.instanceId),
    index("volumes_host_idx").on(t.hostId),
  ],
);

/** What a capture task makes: the image's name and owner, from which instance, and the result. */
export const instanceCaptures = mysqlTable(
  "instance_captures",
  {
    taskId: varchar("task_id", { length: 36 })
      .primaryKey()
      .references(() => tasks.id, { onDelete: "cascade" }),
    instanceId: varchar("instance_id", { length: 36 })
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    hostId: varchar("host_id", { length: 36 })
      .notNull()
      .references(() => hosts.id),
    imageName: varchar("image_name", { length: 128 }).notNull(),
    ownerId: int("owner_id").references(() => users.id, { onDelete: "set null" }),
    groupId: int("group_id").references(() => groups.id, { onDelete: "set null" }),
    imageId: varchar("image_id", { length: 36 }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [index("instance_captures_instance_idx").on(t.instanceId)],
);

export type SnapshotRow = typeof snapshots.$inferSelect;
export type VolumeRow = typeof volumes.$inferSelect;
export type InstanceCaptureRow = typeof instanceCaptures.$inferSelect;
