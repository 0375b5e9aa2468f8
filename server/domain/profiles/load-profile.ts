import { eq } from "drizzle-orm";
import { msg } from "@/common/message";
import { labs, profiles, type LabRow, type ProfileRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor } from "../context";
import { DomainError, notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";

type Reader = Pick<Database, "select">;

/**
 * The profile a procedure names, after the profiles policy. `use`: reading or using it (a public profile
 * is then any group admin's); otherwise managing it. `lock`: FOR UPDATE (the admin-mode/desktop lock).
 */
export async function loadProfile(
  db: Reader,
  actor: Actor,
  id: number,
  opts: { use?: boolean; lock?: boolean } = {},
): Promise<ProfileRow> {
  const q = db.select().from(profiles).where(eq(profiles.id, id));
  const [row] = opts.lock ? await q.for("update") : await q;
  if (!row) throw notFound("profile");
  assertMayActOn(actor, "profiles", { groupId: row.groupId, use: opts.use });
  return row;
}

export async function loadLab(
  db: Reader,
  actor: Actor,
  id: number,
  opts: { use?: boolean; lock?: boolean } = {},
): Promise<LabRow> {
  const q = db.select().from(labs).where(eq(labs.id, id));
  const [row] = opts.lock ? await q.for("update") : await q;
  if (!row) throw notFound("lab");
  assertMayActOn(actor, "labs", { groupId: row.groupId, use: opts.use });
  return row;
}

/** The owner group of a new profile or lab: one the actor administers; null (public) is superAdm's. */
export function assertMayOwnIn(actor: Actor, what: "profiles" | "labs", groupId: number | null): void {
  if (groupId === null && actor.role !== "superAdm")
    throw new DomainError("FORBIDDEN", msg(`${what}.publicNeedsSuperAdm`), {
      groupId: msg("field.notYourGroup"),
    });
  assertMayActOn(actor, what, { groupId });
}
