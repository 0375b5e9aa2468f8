import { sql } from "drizzle-orm";
import {
  boolean,
  datetime,
  index,
  int,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  uniqueIndex,
  varchar,
} from "drizzle-orm/mysql-core";
import { ACCOUNT_ROLES } from "./roles";
import { GROUP_KINDS } from "@/common/groups";

export const users = mysqlTable(
  "users",
  {
    id: int("id").autoincrement().primaryKey(),
    username: varchar("username", { length: 64 }).notNull(),
    displayName: varchar("display_name", { length: 128 }).notNull(),
    email: varchar("email", { length: 254 }),
    passwordHash: varchar("password_hash", { length: 255 }).notNull(),
    role: mysqlEnum("role", ACCOUNT_ROLES).notNull().default("user"),
    disabled: boolean("disabled").notNull().default(false),
    locale: varchar("locale", { length: 10 }).notNull().default("en"),
    theme: mysqlEnum("theme", ["system", "light", "dark"]).notNull().default("system"),
    /** Bumped when an admin resets the password or disables the account: older sessions stop working. */
    sessionVersion: int("session_version").notNull().default(1),
    createdAt: datetime("created_at", { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
    updatedAt: datetime("updated_at", { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
    lastLoginAt: datetime("last_login_at", { fsp: 3 }),
    /** A self-signed-up account waiting for its group's admin: it cannot sign in until approved. */
    pendingApproval: boolean("pending_approval").notNull().default(false),
  },
  // The paged list sorts by username (the unique index) or by creation (keyset on sort column + id).
  (t) => [uniqueIndex("users_username_uq").on(t.username), index("users_created_idx").on(t.createdAt, t.id)],
);

export const groups = mysqlTable(
  "user_groups",
  {
    id: int("id").autoincrement().primaryKey(),
    name: varchar("name", { length: 64 }).notNull(),
    description: varchar("description", { length: 500 }).notNull().default(""),
    /** A class (a teacher and students) or a project (members working together); same rules, other words. */
    kind: mysqlEnum("kind", GROUP_KINDS).notNull().default("class"),
    createdAt: datetime("created_at", { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex("user_groups_name_uq").on(t.name)],
);

export const memberships = mysqlTable(
  "memberships",
  {
    userId: int("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    groupId: int("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
    /** An administrator of this group (a teacher of the class): counts only for powerAdm and up. */
    isAdmin: boolean("is_admin").notNull().default(false),
    createdAt: datetime("created_at", { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [primaryKey({ columns: [t.userId, t.groupId] }), index("memberships_group_idx").on(t.groupId)],
);

export type UserRow = typeof users.$inferSelect;
export type GroupRow = typeof groups.$inferSelect;
