import { sql } from "drizzle-orm";
import { bigint, datetime, index, int, json, mysqlEnum, mysqlTable, varchar } from "drizzle-orm/mysql-core";

export const auditLog = mysqlTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number", unsigned: true }).autoincrement().primaryKey(),
    at: datetime("at", { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
    /** Null for anonymous actions (a failed login). No foreign key: audit outlives deleted users. */
    actorId: int("actor_id"),
    actorName: varchar("actor_name", { length: 64 }).notNull(),
    action: varchar("action", { length: 96 }).notNull(),
    targetType: varchar("target_type", { length: 32 }),
    targetId: varchar("target_id", { length: 64 }),
    result: mysqlEnum("result", ["success", "failure"]).notNull(),
    errorCode: varchar("error_code", { length: 48 }),
    detail: json("detail").$type<Record<string, unknown>>(),
    sourceIp: varchar("source_ip", { length: 45 }),
  },
  (t) => [
    index("audit_at_idx").on(t.at),
    index("audit_actor_idx").on(t.actorId, t.at),
    index("audit_action_idx").on(t.action, t.at),
  ],
);

export type AuditRow = typeof auditLog.$inferSelect;
