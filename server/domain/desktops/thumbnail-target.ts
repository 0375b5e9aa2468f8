// Where a desktop's thumbnail comes from (the classroom view, E6): only an admin of the desktop's lab
// group may see its screen; only a running desktop on a live, not revoked host with a pinned console
// address has one. The HTTP fetch itself is server/console/fetch-thumbnail.ts.
import { eq } from "drizzle-orm";
import { msg } from "@/common/message";
import { hosts } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor } from "../context";
import { DomainError } from "../errors";
import { isHostUp } from "../hosts/find-hosts";
import { assertMayActOn } from "../policies/authorize";
import { loadDesktopRow } from "./load-desktop";

export interface ThumbnailTarget {
  instanceId: string;
  hostId: string;
  /** The host's pinned console address (hosts.console_url), never what a heartbeat said. */
  agentConsoleUrl: string;
}

export async function findThumbnailTarget(
  deps: { db: Database; hostDownAfterSeconds: number },
  actor: Actor,
  instanceId: string,
): Promise<ThumbnailTarget> {
  const row = await loadDesktopRow(deps.db, instanceId);
  assertMayActOn(actor, "desktops", { labAdmin: { groupId: row.groupId } });
  if (row.state !== "RUNNING" || !row.hostId) throw new DomainError("CONFLICT", msg("instances.notRunning"));
  const [host] = await deps.db.select().from(hosts).where(eq(hosts.id, row.hostId));
  // A revoked host may be in an attacker's hands: no grant goes there any more.
  if (
    !host ||
    host.revokedAt !== null ||
    !isHostUp(host.lastHeartbeatAt, new Date(), deps.hostDownAfterSeconds) ||
    !host.consoleUrl
  )
    throw new DomainError("UNAVAILABLE", msg("unavailable.hostUnreachable"));
  return { instanceId: row.id, hostId: host.id, agentConsoleUrl: host.consoleUrl };
}
