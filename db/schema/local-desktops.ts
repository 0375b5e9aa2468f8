// Local desktops (issue 14, F7): runs of a profile on a lab PC's own screen, as the PC's agent reports
// them (agents/protocol/local.ts). The admin sees which PCs run which local desktop from here.
import { sql } from "drizzle-orm";
import { datetime, index, int, mysqlTable, varchar } from "drizzle-orm/mysql-core";
import { hosts } from "./compute";
import { users } from "./identity";
import { profiles } from "./labs";

const now = () => sql`CURRENT_TIMESTAMP(3)`;

export const localSessions = mysqlTable(
  "local_sessions",
  {
    /** Chosen by the agent when the run starts; a report sent again updates the same row. */
    id: varchar("id", { length: 36 }).primaryKey(),
    hostId: varchar("host_id", { length: 36 })
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
    /** null: anonymous (a public profile), or the user was deleted since. */
    userId: int("user_id").references(() => users.id, { onDelete: "set null" }),
    profileId: int("profile_id").references(() => profiles.id, { onDelete: "set null" }),
    /** As the PC knew it (the profile may be renamed or deleted later). */
    profileName: varchar("profile_name", { length: 64 }).notNull(),
    profileVersion: int("profile_version").notNull(),
    startedAt: datetime("started_at", { fsp: 3 }).notNull(),
    /** null: running (as far as the portal was told). */
    endedAt: datetime("ended_at", { fsp: 3 }),
    reportedAt: datetime("reported_at", { fsp: 3 }).notNull().default(now()),
  },
  (t) => [index("local_sessions_host_ended_idx").on(t.hostId, t.endedAt)],
);
export type LocalSessionRow = typeof localSessions.$inferSelect;
