import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import { CONSOLE_KINDS, type ConsoleKind } from "@/agents/protocol/console-grant";
import { requireActor, type DomainContext } from "../context";
import { DomainError } from "../errors";
import { sha256Hex } from "../hosts/host-secrets";
import { loadInstanceForActor } from "../instances/find-instances";
import { msg } from "@/common/message";

export const TICKET_TTL_MS = 30_000;

export const createTicketInput = z.object({ instanceId: z.uuid(), kind: z.enum(CONSOLE_KINDS) });

/** What a ticket is bound to; the ticket itself is never stored, only its hash. */
export interface TicketClaims {
  userId: number;
  instanceId: string;
  kind: ConsoleKind;
}

const keyOf = (prefix: string, ticket: string) => `${prefix}:console-ticket:${sha256Hex(ticket)}`;

/**
 * A ticket opens one console connection: 32 random bytes, valid 30 s, single use, bound to the user,
 * the instance and the console kind. Only a running instance the caller may reach gets one.
 */
export async function createConsoleTicket(
  ctx: DomainContext,
  input: z.output<typeof createTicketInput>,
  opts: { ttlMs?: number } = {},
): Promise<{ ticket: string; expiresAt: Date; path: string }> {
  const actor = requireActor(ctx);
  const inst = await loadInstanceForActor(ctx, input.instanceId);
  if (inst.state !== "RUNNING") {
    throw new DomainError("CONFLICT", msg("instances.startForConsole", { state: inst.state }));
  }
  const ttlMs = opts.ttlMs ?? TICKET_TTL_MS;
  const claims: TicketClaims = { userId: actor.id, instanceId: inst.id, kind: input.kind };
  const ticket = await storeConsoleTicket(ctx.redis, ctx.settings.redisPrefix, claims, ttlMs);
  return { ticket, expiresAt: new Date(Date.now() + ttlMs), path: `/console/${input.kind}/${inst.id}` };
}

/**
 * Keeps a new ticket for these claims. Issuing checks access first (above); the console WebSocket
 * checks it again when the ticket is used, which the RBAC matrix exercises with tickets stored here.
 */
export async function storeConsoleTicket(
  redis: Redis,
  prefix: string,
  claims: TicketClaims,
  ttlMs = TICKET_TTL_MS,
): Promise<string> {
  const ticket = randomBytes(32).toString("base64url");
  await redis.set(keyOf(prefix, ticket), JSON.stringify(claims), "PX", ttlMs);
  return ticket;
}

/** Takes the ticket out of Redis atomically: a second use, or a use after 30 s, finds nothing. */
export async function consumeConsoleTicket(
  redis: Redis,
  prefix: string,
  ticket: string,
): Promise<TicketClaims | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) return null;
  const raw = await redis.getdel(keyOf(prefix, ticket));
  if (!raw) return null;
  return JSON.parse(raw) as TicketClaims;
}
