// Whose desktops a pool makes: its creator's (pools.created_by). A creator deleted, disabled or no longer
// allowed to manage the lab (a teacher who left the class) must not stop the pool, so the owner then
// falls back to the lab group's first administrator (a public lab's: the first superAdm). Quota is the
// group's either way (measure-usage.ts); the owner only answers "who launched it" and for the scope.
import { and, asc, eq } from "drizzle-orm";
import { memberships, users, type LabRow, type PoolRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { loadActorById } from "../account/load-actor";
import type { Actor } from "../context";
import { DomainError } from "../errors";
import { assertMayActOn } from "../policies/authorize";

export async function poolOwner(
  db: Database,
  lab: LabRow,
  pool: Pick<PoolRow, "createdBy">,
): Promise<Actor | null> {
  if (pool.createdBy !== null) {
    const creator = await loadActorById(db, pool.createdBy);
    if (creator && mayManage(creator, lab)) return creator;
  }
  return fallbackOwner(db, lab);
}

function mayManage(actor: Actor, lab: LabRow): boolean {
  try {
    assertMayActOn(actor, "pools", { labGroupId: lab.groupId });
    return true;
  } catch (err) {
    if (err instanceof DomainError) return false;
    throw err;
  }
}

async function fallbackOwner(db: Database, lab: LabRow): Promise<Actor | null> {
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
