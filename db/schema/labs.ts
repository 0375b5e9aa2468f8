// Labs and desktops: profiles (what a desktop is, in versions), labs (rooms of seats with a weekly
// schedule), pools (desktops of a profile kept ready for a lab) and messages a teacher sends to a desktop.
// The model: docs/labs.md.
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
import { DISK_BUSES, FIRMWARES, KEYBOARD_LAYOUTS, NIC_MODELS } from "@/agents/protocol/hardware";
import { flavors, images, instances } from "./compute";
import { groups, users } from "./identity";
import { networks } from "./network";
import { tasks } from "./storage";

const now = () => sql`CURRENT_TIMESTAMP(3)`;

/**
 * What a desktop is: an image family (its version pinned per profile version), a flavor and settings.
 * Owned by a group (its admins manage it) or public (groupId null: superAdm's). Deleting a group with
 * profiles is refused (no cascade), as for flavors.
 */
export const profiles = mysqlTable(
  "profiles",
  {
    id: int("id").autoincrement().primaryKey(),
    name: varchar("name", { length: 64 }).notNull(),
    description: varchar("description", { length: 500 }).notNull().default(""),
    groupId: int("group_id").references(() => groups.id),
    ownerId: int("owner_id").references(() => users.id, { onDelete: "set null" }),
    flavorId: int("flavor_id")
      .notNull()
      .references(() => flavors.id),
    /** The network a desktop's one NIC joins; null: no NIC. */
    networkId: varchar("network_id", { length: 36 }).references(() => networks.id),
    /** Console kinds a desktop offers ("vnc", "serial"). */
    consoleKinds: json("console_kinds").$type<("vnc" | "serial")[]>().notNull(),
    keyboardLayout: mysqlEnum("keyboard_layout", KEYBOARD_LAYOUTS).notNull().default("en-us"),
    /** Snapshot mode: a desktop's writes are discarded when it stops or is reset. */
    throwaway: boolean("throwaway").notNull().default(true),
    firmware: mysqlEnum("firmware", FIRMWARES).notNull().default("bios"),
    diskBus: mysqlEnum("disk_bus", DISK_BUSES).notNull().default("virtio"),
    nicModel: mysqlEnum("nic_model", NIC_MODELS).notNull().default("virtio"),
    usbTablet: boolean("usb_tablet").notNull().default(true),
    /** The version new desktops start from (profile_versions.version). */
    currentVersion: int("current_version").notNull().default(1),
    /** The admin-mode instance while someone edits the profile (null otherwise): no desktop starts then. */
    adminInstanceId: varchar("admin_instance_id", { length: 36 }),
    clonedFromId: int("cloned_from_id"),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [index("profiles_group_idx").on(t.groupId)],
);

/** Version N of a profile points at one image version; admin mode publishes N+1 with a note. */
export const profileVersions = mysqlTable(
  "profile_versions",
  {
    profileId: int("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    version: int("version").notNull(),
    imageId: varchar("image_id", { length: 36 })
      .notNull()
      .references(() => images.id),
    note: varchar("note", { length: 500 }).notNull().default(""),
    createdBy: int("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [primaryKey({ columns: [t.profileId, t.version] })],
);

/** A room, or a virtual room of N seats; owned by a group (its admins run it) or public (superAdm's). */
export const labs = mysqlTable(
  "labs",
  {
    id: int("id").autoincrement().primaryKey(),
    name: varchar("name", { length: 64 }).notNull(),
    description: varchar("description", { length: 500 }).notNull().default(""),
    groupId: int("group_id").references(() => groups.id),
    seats: int("seats").notNull(),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [index("labs_group_idx").on(t.groupId)],
);

/** Lab affinity: the profiles a lab may use. */
export const labProfiles = mysqlTable(
  "lab_profiles",
  {
    labId: int("lab_id")
      .notNull()
      .references(() => labs.id, { onDelete: "cascade" }),
    profileId: int("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.labId, t.profileId] })],
);

/** A weekly lesson in a lab: its pools are warmed `warmMinutes` before it starts and shrink after it ends. */
export const labLessons = mysqlTable(
  "lab_lessons",
  {
    id: int("id").autoincrement().primaryKey(),
    labId: int("lab_id")
      .notNull()
      .references(() => labs.id, { onDelete: "cascade" }),
    /** ISO weekday, 1 = Monday … 7 = Sunday, in the portal's time zone. */
    weekday: int("weekday").notNull(),
    /** Minutes after midnight. */
    startMinute: int("start_minute").notNull(),
    endMinute: int("end_minute").notNull(),
    warmMinutes: int("warm_minutes").notNull().default(10),
  },
  (t) => [index("lab_lessons_lab_idx").on(t.labId)],
);

export const POOL_STATES = ["stopped", "running"] as const;

/**
 * Desktops of one profile for one lab. While running, the pool keeps `size` desktops (in a lesson, or
 * `idleSize` outside the lab's lessons when it has a schedule), of which at least `spare` are started
 * and unassigned, up to `size`.
 */
export const pools = mysqlTable(
  "pools",
  {
    id: int("id").autoincrement().primaryKey(),
    labId: int("lab_id")
      .notNull()
      .references(() => labs.id),
    profileId: int("profile_id")
      .notNull()
      .references(() => profiles.id),
    size: int("size").notNull(),
    spare: int("spare").notNull(),
    idleSize: int("idle_size").notNull().default(0),
    state: mysqlEnum("state", POOL_STATES).notNull().default("stopped"),
    /** Who made the pool: its desktops' owner ("who launched it"); null once that user is deleted. */
    createdBy: int("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [uniqueIndex("pools_lab_profile_uq").on(t.labId, t.profileId)],
);

/** A message a teacher sends to a desktop, shown on its console page until the student dismisses it. */
export const desktopMessages = mysqlTable(
  "desktop_messages",
  {
    id: int("id").autoincrement().primaryKey(),
    instanceId: varchar("instance_id", { length: 36 })
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    fromUserId: int("from_user_id").references(() => users.id, { onDelete: "set null" }),
    text: varchar("text", { length: 500 }).notNull(),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    seenAt: datetime("seen_at", { fsp: 3 }),
  },
  (t) => [index("desktop_messages_instance_idx").on(t.instanceId, t.createdAt)],
);

/**
 * Admin mode being published: the capture task whose disk becomes the profile's next version (the note
 * and author wait here until the capture is stored; migration 0014).
 */
export const profilePublications = mysqlTable("profile_publications", {
  taskId: varchar("task_id", { length: 36 })
    .primaryKey()
    .references(() => tasks.id, { onDelete: "cascade" }),
  profileId: int("profile_id")
    .notNull()
    .references(() => profiles.id, { onDelete: "cascade" }),
  instanceId: varchar("instance_id", { length: 36 }).notNull(),
  /** The image the admin instance was made from: the new image is the next version of its family. */
  baseImageId: varchar("base_image_id", { length: 36 })
    .notNull()
    .references(() => images.id),
  note: varchar("note", { length: 500 }).notNull(),
  createdBy: int("created_by").references(() => users.id, { onDelete: "set null" }),
  /** The profile version it became (null until the capture is stored). */
  version: int("version"),
  createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
});

export type ProfileRow = typeof profiles.$inferSelect;
export type ProfileVersionRow = typeof profileVersions.$inferSelect;
export type LabRow = typeof labs.$inferSelect;
export type LabLessonRow = typeof labLessons.$inferSelect;
export type PoolRow = typeof pools.$inferSelect;
export type ProfilePublicationRow = typeof profilePublications.$inferSelect;

export const TERMINAL_STATES = ["pending", "approved", "revoked"] as const;

/**
 * A lab PC booting as a thin client (F6; docs/labs.md "Terminals"). It enrols with its MAC (a label for
 * the admin, it grants nothing) and proves itself afterwards with a secret the portal derives from
 * `secret_salt` and a portal-only key (decision 015: the HMAC needs the secret on both sides, so the
 * database alone must not give it away). Only an approved terminal with a lab gets anything.
 */
export const terminals = mysqlTable(
  "terminals",
  {
    id: varchar("id", { length: 36 }).primaryKey(),
    /** Lower-case aa:bb:cc:dd:ee:ff. Not unique: a re-imaged PC enrols again beside its old row. */
    mac: varchar("mac", { length: 17 }).notNull(),
    name: varchar("name", { length: 64 }).notNull(),
    /** The secret is HMAC(terminal key, id, salt): a new salt is a new secret. */
    secretSalt: varchar("secret_salt", { length: 64 }).notNull(),
    state: mysqlEnum("state", TERMINAL_STATES).notNull().default("pending"),
    labId: int("lab_id").references(() => labs.id, { onDelete: "set null" }),
    /** A seat terminal shows this desktop (no sign-in); null: the lab's sign-in. */
    seatInstanceId: varchar("seat_instance_id", { length: 36 }).references(() => instances.id, {
      onDelete: "set null",
    }),
    /** null: the lab's profile decides. */
    keyboardLayout: mysqlEnum("keyboard_layout", KEYBOARD_LAYOUTS),
    lastContactAt: datetime("last_contact_at", { fsp: 3 }),
    lastIp: varchar("last_ip", { length: 45 }),
    /** The student signed in at its kiosk now (null: nobody). */
    signedInUserId: int("signed_in_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    approvedBy: int("approved_by").references(() => users.id, { onDelete: "set null" }),
    approvedAt: datetime("approved_at", { fsp: 3 }),
  },
  (t) => [index("terminals_lab_idx").on(t.labId), index("terminals_mac_idx").on(t.mac)],
);

export type TerminalRow = typeof terminals.$inferSelect;
