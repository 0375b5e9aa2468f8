import { eq } from "drizzle-orm";
import { msg } from "@/common/message";
import { instances, type InstanceRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { DomainError, notFound } from "../errors";

/** A pool's desktop that still exists; no access check (the caller asks the desktops policy). */
export async function loadDesktopRow(db: Pick<Database, "select">, id: string): Promise<InstanceRow> {
  const [row] = await db.select().from(instances).where(eq(instances.id, id));
  if (!row || row.state === "DELETED") throw notFound("desktop");
  if (row.kind !== "desktop" || row.poolId === null)
    throw new DomainError("INVALID", msg("desktops.notADesktop"));
  return row;
}
