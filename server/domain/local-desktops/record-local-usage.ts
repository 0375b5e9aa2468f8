// Usage a lab PC reports for its local desktops (agents/protocol/local.ts). Reports are repeated until
// the PC hears they arrived, so each record is an upsert on the id the PC chose. The PC is who its
// credential says: a record names a user only with that user's sign-in ticket for this very host,
// and a record of another host is never changed.
import { inArray, sql } from "drizzle-orm";
import type { LocalUsageRecord } from "@/agents/protocol/local";
import { localSessions, profiles, users } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { userTicketParts, verifyLocalTicket } from "./local-tickets";

export async function recordLocalUsage(
  db: Database,
  input: { hostId: string; records: LocalUsageRecord[]; ticketKey: Buffer },
): Promise<{ recorded: number }> {
  const profileIds = [...new Set(input.records.map((r) => r.profileId))];
  const known = new Set(
    (await db.select({ id: profiles.id }).from(profiles).where(inArray(profiles.id, profileIds))).map(
      (p) => p.id,
    ),
  );
  const claimed = input.records.filter(
    (r) =>
      r.userId !== null &&
      verifyLocalTicket(input.ticketKey, userTicketParts(input.hostId, r.userId), r.userTicket),
  );
  const userIds = [...new Set(claimed.map((r) => r.userId!))];
  const existingUsers = new Set(
    userIds.length
      ? (await db.select({ id: users.id }).from(users).where(inArray(users.id, userIds))).map((u) => u.id)
      : [],
  );
  const rows = input.records.map((r) => ({
    id: r.id,
    hostId: input.hostId,
    userId: claimed.includes(r) && existingUsers.has(r.userId!) ? r.userId : null,
    profileId: known.has(r.profileId) ? r.profileId : null,
    profileName: r.profileName,
    profileVersion: r.profileVersion,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
  }));
  await db
    .insert(localSessions)
    .values(rows)
    .onDuplicateKeyUpdate({
      set: {
        // Only the host that made the record may end it; an end, once known, stays.
        endedAt: sql`IF(${localSessions.hostId} = VALUES(${localSessions.hostId}), COALESCE(VALUES(${localSessions.endedAt}), ${localSessions.endedAt}), ${localSessions.endedAt})`,
        reportedAt: sql`IF(${localSessions.hostId} = VALUES(${localSessions.hostId}), CURRENT_TIMESTAMP(3), ${localSessions.reportedAt})`,
      },
    });
  return { recorded: rows.length };
}
