// Whose desktops a pool makes: its creator's. `pools` has no creator column yet (asked of the lead); until
// it has, the owner is the lab group's first administrator (a public lab's: the first superAdm). Quota is
// the group's either way (measure-usage.ts); the owner only answers "who launched it" and for the scope.
import { and, asc, eq } from "drizzle-orm";
import { memberships, users, type LabRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { loadActorById } from "../account/load-actor";
import type { Actor } from "../context";

export async function poolOwner(db: Database, lab: LabRow): Promise<Actor | null> {
  const [row] =
    lab.groupId === null
      ? await db
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.role, "superAdm"), eq(users.disabled, false)))
          .orderBy(asc(users.id))
          .limit(1)
      : await db
          .select({ id: users.id })
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .where(
            and(
              eq(memberships.groupId, lab.groupId),
              eq(memberships.isAdmin, true),
              eq(users.disabled, false),
            ),
          )
          .orderBy(asc(users.id))
          .limit(1);
  return row ? loadActorById(db, row.id) : null;
}
