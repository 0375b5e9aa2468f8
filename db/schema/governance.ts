// Classes and governance: what a group may use, how much anyone may take, and account self-service.
import { sql } from "drizzle-orm";
import {
  datetime,
  index,
  int,
  json,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  varchar,
} from "drizzle-orm/mysql-core";
import { CATALOGUE_KINDS } from "@/common/groups";
import { QUOTA_SUBJECTS } from "@/common/quotas";
import { groups, users } from "./identity";

const now = () => sql`CURRENT_TIMESTAMP(3)`;

/** A group's catalogue: the images, flavors, networks and hosts its members may use (common/groups.ts). */
export const groupCatalogue = mysqlTable(
  "group_catalogue",
  {
    groupId: int("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
    kind: mysqlEnum("kind", CATALOGUE_KINDS).notNull(),
    /** An image id, flavor id, network id or host id, as text (ids of different tables). */
    itemId: varchar("item_id", { length: 36 }).notNull(),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.kind, t.itemId] }),
    index("group_catalogue_item_idx").on(t.kind, t.itemId),
  ],
);

/**
 * Limits per role (the defaults), per user and per group; each column optional (null: no limit). The
 * effective limit of a request is the tighter of its owner's (user row, else their role's) and its group's.
 */
export const quotaLimits = mysqlTable(
  "quota_limits",
  {
    subject: mysqlEnum("subject", QUOTA_SUBJECTS).notNull(),
    /** The role's name, or the user's or group's id as text. */
    subjectId: varchar("subject_id", { length: 36 }).notNull(),
    instances: int("instances"),
    vcpus: int("vcpus"),
    ramMiB: int("ram_mib"),
    diskGiB: int("disk_gib"),
    ipAddresses: int("ip_addresses"),
    snapshots: int("snapshots"),
    images: int("images"),
    imageGiB: int("image_gib"),
    updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
    updatedBy: int("updated_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [primaryKey({ columns: [t.subject, t.subjectId] })],
);

/** One-time password reset links: only the hash is kept; used once, short-lived. */
export const passwordResetTokens = mysqlTable(
  "password_reset_tokens",
  {
    tokenHash: varchar("token_hash", { length: 64 }).primaryKey(),
    userId: int("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdBy: int("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    expiresAt: datetime("expires_at", { fsp: 3 }).notNull(),
    usedAt: datetime("used_at", { fsp: 3 }),
  },
  (t) => [index("password_reset_tokens_user_idx").on(t.userId)],
);

/** Settings an administrator changes in the portal (self sign-up, mail); the environment holds the rest. */
export const portalSettings = mysqlTable("portal_settings", {
  key: varchar("key", { length: 64 }).primaryKey(),
  value: json("value").notNull(),
  updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
  updatedBy: int("updated_by").references(() => users.id, { onDelete: "set null" }),
});

export type QuotaLimitRow = typeof quotaLimits.$inferSelect;
