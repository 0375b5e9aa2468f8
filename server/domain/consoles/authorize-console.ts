import { eq } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { ConsoleKind } from "@/agents/protocol/console-grant";
import { hosts, instances, pools, terminals } from "@/db/schema";
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
  };
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
  const shows =
    !!terminal &&
    terminal.state === "approved" &&
    terminal.labId !== null &&
    pool?.labId === terminal.labId &&
    (claims.userId === null
      ? // A seat that became a student's (a hand-out racing the seating) is no longer the PC's to show.
        terminal.seatInstanceId === inst.id && inst.assignedTo === null
      : terminal.signedInUserId === claims.userId);
  if (!shows) throw new DomainError("FORBIDDEN", msg("consoles.noLongerAllowed"));
}
