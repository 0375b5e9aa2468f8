import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import { CONSOLE_KINDS, type ConsoleKind } from "@/agents/protocol/console-grant";
import { requireActor, type DomainContext } from "../context";
import { eq } from "drizzle-orm";
import { instances } from "@/db/schema";
import { DomainError, notFound } from "../errors";
import { sha256Hex } from "../hosts/host-secrets";
import { assertMayActOn } from "../policies/authorize";
import { msg } from "@/common/message";

export const TICKET_TTL_MS = 30_000;

export const createTicketInput = z.object({ instanceId: z.uuid(), kind: z.enum(CONSOLE_KINDS) });

/** What a ticket is bound to; the ticket itself is never stored, only its hash. */
export interface TicketClaims {
  /** null only for a seat terminal's ticket (its desktop shows without a sign-in). */
  userId: number | null;
  instanceId: string;
  kind: ConsoleKind;
  /** A kiosk's ticket: good only on that terminal's lab's desktops, while it is approved (decision 015). */
  terminalId?: string;
}

/**
 * The portal-only key that seals tickets in Redis: from NEXTAUTH_SECRET with its own label, so it is
 * neither the session key nor the console-grant key, and nothing a host holds derives it.
 */
export function deriveConsoleTicketKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "educloud", "console-ticket-v1", 32));
}

const keyOf = (prefix: string, ticketHash: string) => `${prefix}:console-ticket:${ticketHash}`;

/** What Redis holds: the claims, the expiry and a MAC over both and the ticket's hash (the nonce). */
const storedTicketSchema = z.object({
  userId: z.number().int().positive().nullable(),
  instanceId: z.uuid(),
  terminalId: z.uuid().optional(),
  kind: z.enum(CONSOLE_KINDS),
  exp: z.number().int().positive(),
  mac: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

/**
 * The MAC covers everything that grants access and the ticket's hash, so a record cannot be written
 * without the key, nor moved to another ticket, nor kept alive past its expiry by a Redis TTL change.
 */
function macOf(key: Buffer, ticketHash: string, c: TicketClaims, exp: number): string {
  const fields = ["console-ticket-v1", ticketHash, c.userId ?? "", c.instanceId, c.kind, exp];
  // A terminal's binding is sealed too (a line only when present, so tickets without one keep their MAC).
  if (c.terminalId) fields.push(`terminal:${c.terminalId}`);
  return createHmac("sha256", key).update(fields.join("\n")).digest("base64url");
}

/**
 * A ticket opens one console connection: 32 random bytes, valid 30 s, single use, bound to the user,
 * the instance and the console kind. Only a running instance the caller may reach gets one.
 */
export async function createConsoleTicket(
  ctx: DomainContext,
  input: z.output<typeof createTicketInput>,
  opts: { ttlMs?: number; terminalId?: string } = {},
): Promise<{ ticket: string; expiresAt: Date; path: string }> {
  const actor = requireActor(ctx);
  // The consoles policy: the instance's owner and teachers, and the student a pool's desktop is assigned to.
  const [inst] = await ctx.db.select().from(instances).where(eq(instances.id, input.instanceId));
  if (!inst) throw notFound("instance");
  assertMayActOn(actor, "consoles", inst, msg("auth.notYourInstance"));
  if (inst.state !== "RUNNING") {
    throw new DomainError("CONFLICT", msg("instances.startForConsole", { state: inst.state }));
  }
  const ttlMs = opts.ttlMs ?? TICKET_TTL_MS;
  const claims: TicketClaims = { userId: actor.id, instanceId: inst.id, kind: input.kind };
  if (opts.terminalId) claims.terminalId = opts.terminalId;
  const ticket = await storeConsoleTicket(
    { redis: ctx.redis, prefix: ctx.settings.redisPrefix, key: ctx.settings.consoleTicketKey },
    claims,
    ttlMs,
  );
  return { ticket, expiresAt: new Date(Date.now() + ttlMs), path: `/console/${input.kind}/${inst.id}` };
}

export interface TicketStore {
  redis: Redis;
  prefix: string;
  /** deriveConsoleTicketKey(NEXTAUTH_SECRET): the portal's alone. */
  key: Buffer;
}

/**
 * Keeps a new ticket for these claims. Issuing checks access first (above); the console WebSocket
 * checks it again when the ticket is used, which the RBAC matrix exercises with tickets stored here.
 */
export async function storeConsoleTicket(
  store: TicketStore,
  claims: TicketClaims,
  ttlMs = TICKET_TTL_MS,
): Promise<string> {
  const ticket = randomBytes(32).toString("base64url");
  const hash = sha256Hex(ticket);
  const exp = Date.now() + ttlMs;
  const record = { ...claims, exp, mac: macOf(store.key, hash, claims, exp) };
  await store.redis.set(keyOf(store.prefix, hash), JSON.stringify(record), "PX", ttlMs);
  return ticket;
}

/**
 * Takes the ticket out of Redis atomically: a second use, or a use after 30 s, finds nothing. A record
 * without a valid MAC (written into Redis by anyone but this portal) or past its expiry is no ticket.
 */
export async function consumeConsoleTicket(store: TicketStore, ticket: string): Promise<TicketClaims | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) return null;
  const hash = sha256Hex(ticket);
  const raw = await store.redis.getdel(keyOf(store.prefix, hash));
  if (!raw) return null;
  let parsed;
  try {
    parsed = storedTicketSchema.safeParse(JSON.parse(raw));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  const { exp, mac, terminalId, ...rest } = parsed.data;
  const claims: TicketClaims = terminalId ? { ...rest, terminalId } : rest;
  const expected = Buffer.from(macOf(store.key, hash, claims, exp));
  if (!timingSafeEqual(expected, Buffer.from(mac)) || exp <= Date.now()) return null;
  return claims;
}
