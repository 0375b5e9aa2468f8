// A seat terminal (decision 015) shows its seat desktop to whoever sits at that PC, without a sign-in.
// Such a desktop is in its lab's pool like any other, yet it is the PC's: never handed out to a student.
import { eq, notExists, sql } from "drizzle-orm";
import { instances, terminals } from "@/db/schema";
import type { Database } from "@/server/db/client";

/**
 * Not any terminal's seat: a student handed one would share their session with whoever sits at that PC.
 * A revoked terminal's seat too (a console it had open is not cut by the revoke): it goes back to the
 * pool when the terminal is deleted or seated elsewhere.
 */
export const notASeat = (db: Pick<Database, "select">) =>
  notExists(
    db
      .select({ one: sql`1` })
      .from(terminals)
      .where(eq(terminals.seatInstanceId, instances.id)),
  );
