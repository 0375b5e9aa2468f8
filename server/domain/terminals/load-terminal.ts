import { and, eq, inArray, isNull, notInArray } from "drizzle-orm";
import { instances, labs, pools, profiles, terminals, type TerminalRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { notFound } from "../errors";

type Reader = Pick<Database, "select">;

export async function loadTerminal(db: Reader, id: string): Promise<TerminalRow> {
  const [row] = await db.select().from(terminals).where(eq(terminals.id, id));
  if (!row) throw notFound("terminal");
  return row;
}

export async function poolIdsOfLab(db: Reader, labId: number | null): Promise<number[]> {
  if (labId === null) return [];
  const rows = await db.select({ id: pools.id }).from(pools).where(eq(pools.labId, labId));
  return rows.map((r) => r.id);
}

/** The desktop a terminal shows now: its seat, or the signed-in student's desktop of the terminal's lab. */
export async function desktopShownBy(
  db: Reader,
  t: Pick<TerminalRow, "labId" | "seatInstanceId" | "signedInUserId">,
): Promise<{ id: string; name: string; state: string; task: string | null } | null> {
  const poolIds = await poolIdsOfLab(db, t.labId);
  if (!poolIds.length) return null;
  // A seat handed out to a student after all (a hand-out racing the seating) is theirs, not the PC's.
  const who =
    t.seatInstanceId !== null
      ? and(eq(instances.id, t.seatInstanceId), isNull(instances.assignedTo))
      : t.signedInUserId !== null
        ? eq(instances.assignedTo, t.signedInUserId)
        : null;
  if (!who) return null;
  const [row] = await db
    .select({ id: instances.id, name: instances.name, state: instances.state, task: instances.task })
    .from(instances)
    .where(
      and(
        who,
        inArray(instances.poolId, poolIds),
        eq(instances.kind, "desktop"),
        notInArray(instances.state, ["DELETED", "DELETING"]),
      ),
    )
    .orderBy(instances.assignedAt)
    .limit(1);
  return row ?? null;
}

/** The lab's name and the keyboard layout its (first) profile asks, for the terminal's config. */
export async function labFacts(db: Reader, labId: number | null) {
  if (labId === null) return null;
  const [lab] = await db
    .select({ id: labs.id, name: labs.name, groupId: labs.groupId })
    .from(labs)
    .where(eq(labs.id, labId));
  if (!lab) return null;
  const [profile] = await db
    .select({ keyboardLayout: profiles.keyboardLayout })
    .from(pools)
    .innerJoin(profiles, eq(profiles.id, pools.profileId))
    .where(eq(pools.labId, labId))
    .orderBy(pools.id)
    .limit(1);
  return { ...lab, keyboardLayout: profile?.keyboardLayout ?? "en-us" };
}
