import { eq } from "drizzle-orm";
import { memberships, users } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor } from "../context";

type UserRow = typeof users.$inferSelect;

/** An account's row and memberships as the Actor they act as (no check of disabled or pending here). */
export function actorOf(row: UserRow, groupRows: { groupId: number; isAdmin: boolean }[]): Actor {
  // The flag is a grant on top of the role: a student marked admin of a class is still a student.
  const administers = row.role === "powerAdm" || row.role === "superAdm";
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    groupIds: groupRows.map((g) => g.groupId),
    adminGroupIds: administers ? groupRows.filter((g) => g.isAdmin).map((g) => g.groupId) : [],
  };
}

/**
 * Turns a session's claims into an Actor, or null when the account is gone, disabled, or the session
 * predates a password reset or disable (session version moved on).
 */
export async function loadActor(db: Database, userId: number, sessionVersion: number): Promise<Actor | null> {
  const row = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!row || row.disabled || row.sessionVersion !== sessionVersion) return null;
  if (row.pendingApproval) return null;
  const groupRows = await db
    .select({ groupId: memberships.groupId, isAdmin: memberships.isAdmin })
    .from(memberships)
    .where(eq(memberships.userId, userId));
  return actorOf(row, groupRows);
}

/** For a console ticket (bound to a user, not a session): the user as they are now, or null if disabled. */
export async function loadActorById(db: Database, userId: number): Promise<Actor | null> {
  const row = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!row || row.disabled) return null;
  return loadActor(db, userId, row.sessionVersion);
}
