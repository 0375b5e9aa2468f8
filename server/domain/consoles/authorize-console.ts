import { eq } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { ConsoleKind } from "@/agents/protocol/console-grant";
import { hosts, instances } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { loadActorById } from "../account/load-actor";
import { DomainError } from "../errors";
import { isHostUp } from "../hosts/find-hosts";
import { authorize } from "../policies/authorize";
import { userCaller } from "../policies/caller";
import { consumeConsoleTicket } from "./console-tickets";
import { msg } from "@/common/message";

export interface ConsoleTarget {
  userId: number;
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
  const actor = await loadActorById(deps.db, claims.userId);
  const [inst] = await deps.db.select().from(instances).where(eq(instances.id, req.instanceId));
  // A disabled user or a vanished instance is refused like a lost right: the ticket itself was valid.
  if (!actor || !inst) throw new DomainError("FORBIDDEN", msg("consoles.noLongerAllowed"));
  authorize(userCaller(actor), "consoles", "open", inst);
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
    userId: actor.id,
    username: actor.username,
    instanceId: inst.id,
    kind: req.kind,
    hostId: host.id,
    agentConsoleUrl: host.consoleUrl,
  };
}
