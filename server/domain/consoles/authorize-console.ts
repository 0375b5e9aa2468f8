import { eq, inArray } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { ConsoleKind } from "@/agents/protocol/console-grant";
import { hosts, instances, pools, terminals, type TerminalRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { loadActorById } from "../account/load-actor";
import { DomainError } from "../errors";
import { isHostUp } from "../hosts/find-hosts";
import { authorize } from "../policies/authorize";
import { userCaller } from "../policies/caller";
import { consumeConsoleTicket, type TicketClaims } from "./console-tickets";
import { msg } from "@/common/message";

export interface ConsoleTarget {
  /** Who the per-user limit counts: "user:<id>", or "terminal:<id>" for a seat terminal's screen. */
  limitKey: string;
  username: string;
  instanceId: string;
  kind: ConsoleKind;
  hostId: string;
  /** The host's pinned console address (hosts.console_url): never what a heartbeat said. */
  agentConsoleUrl: string;
  /** A kiosk's or seat terminal's console: its terminal (re-checked while open), else null. */
  terminalId: string | null;
  /** The student (or user) the ticket names; null for a seat terminal's screen. */
  userId: number | null;
}

/**
 * Everything a console connection must pass before a byte is proxied: the ticket (once, in time, for
 * this instance and kind), then the user and their access *as they are now* — a user disabled or
 * moved out of the group between ticket and connect is refused — then a running instance on a live
 * host with a pinned console address (set when it joined or by an admin; heartbeats cannot move it).
 */
export async function authorizeConsole(
  deps: {
    db: Database;
    redis: Redis;
    redisPrefix: string;
    ticketKey: Buffer;
    hostDownAfterSeconds: number;
  },
  req: { kind: ConsoleKind; instanceId: string; ticket: string },
): Promise<ConsoleTarget> {
  const claims = await consumeConsoleTicket(
    { redis: deps.redis, prefix: deps.redisPrefix, key: deps.ticketKey },
    req.ticket,
  );
  if (!claims || claims.instanceId !== req.instanceId || claims.kind !== req.kind) {
    throw new DomainError("UNAUTHORIZED", msg("consoles.invalidTicket"));
  }
  const [inst] = await deps.db.select().from(instances).where(eq(instances.id, req.instanceId));
  if (!inst) throw new DomainError("FORBIDDEN", msg("consoles.noLongerAllowed"));
  if (claims.terminalId) await assertTerminalStillShows(deps.db, claims, inst);
  else if (claims.userId === null) throw new DomainError("UNAUTHORIZED", msg("consoles.invalidTicket"));
  let who = { limitKey: `terminal:${claims.terminalId}`, username: `terminal:${claims.terminalId}` };
  if (claims.userId !== null) {
    const actor = await loadActorById(deps.db, claims.userId);
    // A disabled user is refused like a lost right: the ticket itself was valid.
    if (!actor) throw new DomainError("FORBIDDEN", msg("consoles.noLongerAllowed"));
    authorize(userCaller(actor), "consoles", "open", inst);
    who = { limitKey: `user:${actor.id}`, username: actor.username };
  }
  if (inst.state !== "RUNNING" || !inst.hostId)
    throw new DomainError("CONFLICT", msg("instances.notRunning"));
  const [host] = await deps.db.select().from(hosts).where(eq(hosts.id, inst.hostId));
  // A revoked host may be in an attacker's hands: no console (keystrokes, grants) goes there any more.
  if (
    !host ||
    host.revokedAt !== null ||
    !isHostUp(host.lastHeartbeatAt, new Date(), deps.hostDownAfterSeconds) ||
    !host.consoleUrl
  ) {
    throw new DomainError("UNAVAILABLE", msg("unavailable.hostUnreachable"));
  }
  return {
    ...who,
    instanceId: inst.id,
    kind: req.kind,
    hostId: host.id,
    agentConsoleUrl: host.consoleUrl,
    terminalId: claims.terminalId ?? null,
    userId: claims.userId,
  };
}

/**
 * Whether a terminal shows this desktop now (decision 015): approved, the desktop in a pool of its lab,
 * and its seat and nobody's (no student named) or the student signed in at it now.
 */
function terminalShows(
  terminal: Pick<TerminalRow, "state" | "labId" | "seatInstanceId" | "signedInUserId"> | undefined,
  poolLabId: number | null | undefined,
  inst: { id: string; assignedTo: number | null },
  userId: number | null,
): boolean {
  return (
    !!terminal &&
    terminal.state === "approved" &&
    terminal.labId !== null &&
    poolLabId === terminal.labId &&
    (userId === null
      ? // A seat that became a student's (a hand-out racing the seating) is no longer the PC's to show.
        terminal.seatInstanceId === inst.id && inst.assignedTo === null
      : terminal.signedInUserId === userId)
  );
}

/**
 * Of the terminals' consoles open now, those whose terminal no longer shows their desktop — revoked,
 * deleted, moved, the student signed out (by hand, by "sign out everywhere"'s next kiosk request, or
 * idle) — by index. The console proxy closes them (issue 14's review: an open console outlived all of
 * these). Three queries for all of them, whatever their number.
 */
export async function findEndedTerminalConsoles(
  db: Database,
  open: { terminalId: string; userId: number | null; instanceId: string }[],
): Promise<Set<number>> {
  if (!open.length) return new Set();
  const terminalRows = await db
    .select()
    .from(terminals)
    .where(inArray(terminals.id, [...new Set(open.map((o) => o.terminalId))]));
  const instRows = await db
    .select({ id: instances.id, assignedTo: instances.assignedTo, poolLabId: pools.labId })
    .from(instances)
    .leftJoin(pools, eq(pools.id, instances.poolId))
    .where(inArray(instances.id, [...new Set(open.map((o) => o.instanceId))]));
  const ended = new Set<number>();
  open.forEach((o, i) => {
    const inst = instRows.find((r) => r.id === o.instanceId);
    const terminal = terminalRows.find((t) => t.id === o.terminalId);
    if (!inst || !terminalShows(terminal, inst.poolLabId, inst, o.userId)) ended.add(i);
  });
  return ended;
}

/**
 * A kiosk's ticket (decision 015) holds only while its terminal still shows this desktop: the terminal is
 * approved, the desktop is of a pool of the terminal's lab, and it is the terminal's seat and nobody's (a
 * ticket without a student) or the student's who is signed in at that terminal now. A terminal of lab A never
 * opens lab B's desktop, whatever ticket it holds.
 */
async function assertTerminalStillShows(
  db: Database,
  claims: TicketClaims,
  inst: { id: string; poolId: number | null; assignedTo: number | null },
): Promise<void> {
  const [terminal] = await db.select().from(terminals).where(eq(terminals.id, claims.terminalId!));
  const [pool] = inst.poolId === null ? [] : await db.select().from(pools).where(eq(pools.id, inst.poolId));
  if (!terminalShows(terminal, pool?.labId, inst, claims.userId))
    throw new DomainError("FORBIDDEN", msg("consoles.noLongerAllowed"));
}
