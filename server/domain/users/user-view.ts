import { inArray } from "drizzle-orm";
import { memberships, type UserRow } from "@/db/schema";
import type { Database } from "@/server/db/client";

/** What leaves the domain about a user: never the password hash or session version. */
export interface UserView {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  role: UserRow["role"];
  disabled: boolean;
  /** Signed up by themselves and waiting for their group's admin (cannot sign in yet). */
  pendingApproval: boolean;
  locale: string;
  theme: UserRow["theme"];
  groupIds: number[];
  createdAt: Date;
  lastLoginAt: Date | null;
}

export function toUserView(row: UserRow, groupIds: number[]): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    email: row.email,
    role: row.role,
    disabled: row.disabled,
    pendingApproval: row.pendingApproval,
    locale: row.locale,
    theme: row.theme,
    groupIds,
    createdAt: row.createdAt,
    lastLoginAt: row.lastLoginAt,
  };
}

export async function findGroupIdsOfUsers(db: Database, userIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return map;
  const rows = await db
    .select({ userId: memberships.userId, groupId: memberships.groupId })
    .from(memberships)
    .where(inArray(memberships.userId, userIds));
  for (const r of rows) map.get(r.userId)?.push(r.groupId);
  return map;
}
