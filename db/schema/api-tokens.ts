import { sql } from "drizzle-orm";
import {
  boolean,
  char,
  datetime,
  index,
  int,
  mysqlEnum,
  mysqlTable,
  uniqueIndex,
  varchar,
} from "drizzle-orm/mysql-core";
import { ACCOUNT_ROLES } from "./roles";
import { users } from "./identity";

/**
 * A user's API tokens (`ect_<public_id>_<secret>`, docs/security.md "API tokens"). Only the SHA-256 of
 * the secret is kept: the secret is 256 random bits, so a fast hash loses nothing to guessing. The
 * token acts as its user as they are now, never above `role`.
 */
export const apiTokens = mysqlTable(
  "api_tokens",
  {
    id: int("id").autoincrement().primaryKey(),
    userId: int("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: varchar("name", { length: 64 }).notNull(),
    /** The token's public half: names it in lists and logs, and finds its row. */
    publicId: char("public_id", { length: 16 }).notNull(),
    /** SHA-256 of the secret half, hex. */
    secretHash: char("secret_hash", { length: 64 }).notNull(),
    /** The most the token may do; the user's current role caps it further. */
    role: mysqlEnum("role", ACCOUNT_ROLES).notNull(),
    readOnly: boolean("read_only").notNull().default(false),
    expiresAt: datetime("expires_at", { fsp: 3 }).notNull(),
    createdAt: datetime("created_at", { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
    lastUsedAt: datetime("last_used_at", { fsp: 3 }),
    lastUsedIp: varchar("last_used_ip", { length: 45 }),
    revokedAt: datetime("revoked_at", { fsp: 3 }),
  },
  (t) => [
    uniqueIndex("api_tokens_public_id_uq").on(t.publicId),
    index("api_tokens_user_idx").on(t.userId, t.revokedAt),
  ],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;
