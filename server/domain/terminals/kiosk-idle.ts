// A student who walks away from a kiosk is signed out there after an idle time (KIOSK_IDLE_MINUTES,
// default 15): their desktop is released as at sign-out, and the console the kiosk had open is cut
// (the console proxy re-checks its terminals' consoles every few seconds). Idle means no input reached
// the server: no sign-in and no key or pointer event through the desktop's console (kiosk-sessions.ts
// notes both). The page's own polling does not count: the server decides, not the page.
// Checked on every kiosk request and swept by the portal's housekeeping (server/queue/maintenance.ts),
// so a kiosk whose browser was closed or whose PC was switched off is signed out too.
import { and, eq, isNotNull } from "drizzle-orm";
import { terminals, type TerminalRow } from "@/db/schema";
import type { DomainContext } from "../context";
import { releaseStudentAt } from "./kiosk";
import { lastKioskActivity } from "./kiosk-sessions";

type Deps = Pick<DomainContext, "db" | "redis" | "jobs"> & {
  settings: Pick<DomainContext["settings"], "redisPrefix" | "kioskIdleSeconds">;
};

/**
 * Signs the student at this terminal out if they have been idle past the limit: the terminal's row
 * forgets them (only if it still names them: a newer sign-in wins) and their desktops of the lab are
 * released. True when this call signed someone out.
 */
export async function endIdleKioskSignIn(
  deps: Deps,
  terminal: Pick<TerminalRow, "id" | "labId" | "signedInUserId">,
  now = Date.now(),
): Promise<boolean> {
  const userId = terminal.signedInUserId;
  if (userId === null) return false;
  const last = await lastKioskActivity({ redis: deps.redis, prefix: deps.settings.redisPrefix }, terminal.id);
  if (now - last <= deps.settings.kioskIdleSeconds * 1000) return false;
  const [res] = await deps.db
    .update(terminals)
    .set({ signedInUserId: null })
    .where(and(eq(terminals.id, terminal.id), eq(terminals.signedInUserId, userId)));
  if (res.affectedRows !== 1) return false;
  await releaseStudentAt(deps, terminal, userId);
  return true;
}

/** The housekeeping sweep: every terminal with a student signed in is checked; how many were signed out. */
export async function signOutIdleKiosks(deps: Deps, now = Date.now()): Promise<number> {
  const rows = await deps.db
    .select({ id: terminals.id, labId: terminals.labId, signedInUserId: terminals.signedInUserId })
    .from(terminals)
    .where(isNotNull(terminals.signedInUserId));
  let ended = 0;
  for (const t of rows) if (await endIdleKioskSignIn(deps, t, now)) ended++;
  return ended;
}
