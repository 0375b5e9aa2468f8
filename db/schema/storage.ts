// Background tasks (image conversion, sync to hosts, later capture): one generic row per piece of long
// work, so one Tasks page can follow all of them with the same state and progress columns.
import { sql } from "drizzle-orm";
import { bigint, datetime, index, int, json, mysqlEnum, mysqlTable, varchar } from "drizzle-orm/mysql-core";
import { TASK_STATES } from "@/common/tasks";
import { hosts } from "./compute";
import { users } from "./identity";

const now = () => sql`CURRENT_TIMESTAMP(3)`;

// The state list lives in common/ (the Tasks page filters by it); the column enum follows it.
export { TASK_STATES, type TaskState } from "@/common/tasks";

export const tasks = mysqlTable(
  "tasks",
  {
    id: varchar("id", { length: 36 }).primaryKey(),
    /** What the task does, e.g. "image.import", "image.sync"; free text so new kinds need no migration. */
    kind: varchar("kind", { length: 32 }).notNull(),
    /** The object it works on ("image" + id) and its name as it was when the task started. */
    targetType: varchar("target_type", { length: 32 }).notNull(),
    targetId: varchar("target_id", { length: 64 }),
    targetName: varchar("target_name", { length: 128 }).notNull(),
    /** For work done on a host (sync). */
    hostId: varchar("host_id", { length: 36 }).references(() => hosts.id, { onDelete: "set null" }),
    state: mysqlEnum("state", TASK_STATES).notNull().default("queued"),
    percent: int("percent").notNull().default(0),
    bytesDone: bigint("bytes_done", { mode: "number" }),
    bytesTotal: bigint("bytes_total", { mode: "number" }),
    /** English texts (fallback for old rows and for logs); the codes below are what the UI renders. */
    message: varchar("message", { length: 500 }),
    error: varchar("error", { length: 2000 }),
    messageCode: varchar("message_code", { length: 80 }),
    messageParams: json("message_params").$type<Record<string, string | number>>(),
    errorCode: varchar("error_code", { length: 80 }),
    errorParams: json("error_params").$type<Record<string, string | number>>(),
    createdBy: int("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: datetime("created_at", { fsp: 3 }).notNull().default(now()),
    startedAt: datetime("started_at", { fsp: 3 }),
    finishedAt: datetime("finished_at", { fsp: 3 }),
    updatedAt: datetime("updated_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [
    index("tasks_created_by_idx").on(t.createdBy, t.createdAt),
    index("tasks_created_idx").on(t.createdAt),
    index("tasks_target_idx").on(t.targetType, t.targetId),
    // The paged list filtered by state, newest first.
    index("tasks_state_created_idx").on(t.state, t.createdAt),
  ],
);

export type TaskRow = typeof tasks.$inferSelect;
