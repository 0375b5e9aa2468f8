import { eq } from "drizzle-orm";
import { groups, type GroupRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor } from "../context";
import { notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";

/**
 * The group a class procedure names, after the classes policy: its admins (superAdm any). Inside a
 * transaction pass lock, so two teachers' changes to one class queue instead of interleaving.
 */
export async function loadClass(
  db: Pick<Database, "select">,
  actor: Actor,
  id: number,
  lock = false,
): Promise<GroupRow> {
  const q = db.select().from(groups).where(eq(groups.id, id));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw notFound("group");
  assertMayActOn(actor, "classes", { id });
  return row;
}
