// Every request of a terminal after enrolment is signed with its secret (terminal-secrets.ts). The portal
// checks, in this order: the headers are there and well-formed (the signature covers the body too); the timestamp is within ±60 s of its
// clock; the terminal exists and the signature matches; the nonce was never seen (Redis SET NX, kept
// past the time window, so a replayed request finds it taken); and only then the terminal's state —
// pending and revoked terminals are told so, and get nothing else.
import type { Redis } from "ioredis";
import { eq } from "drizzle-orm";
import { msg } from "@/common/message";
import { terminals, type TerminalRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { DomainError } from "../errors";
import {
  bodyDigest,
  signatureMatches,
  signedText,
  signTerminalText,
  TERMINAL_HEADERS,
  terminalSecretOf,
} from "./terminal-secrets";

export const CLOCK_SKEW_SECONDS = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

export interface TerminalAuthDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
  terminalKey: Buffer;
}

const refused = () => new DomainError("UNAUTHORIZED", msg("terminals.badSignature"));

/**
 * The terminal that signed this request, approved; null when the request carries no terminal headers at
 * all (the caller is then nobody). Throws UNAUTHORIZED for a bad, stale or replayed signature and
 * FORBIDDEN for a terminal that is pending or revoked.
 */
export async function authenticateTerminal(
  deps: TerminalAuthDeps,
  /** body: the request's raw bytes (empty for a GET), at most TERMINAL_MAX_BODY_BYTES. */
  req: { method: string; path: string; headers: Headers; body: Uint8Array },
  now = Date.now(),
): Promise<TerminalRow | null> {
  const h = (name: string) => req.headers.get(name) ?? "";
  const id = h(TERMINAL_HEADERS.id);
  const timestamp = h(TERMINAL_HEADERS.timestamp);
  const nonce = h(TERMINAL_HEADERS.nonce);
  const signature = h(TERMINAL_HEADERS.signature).toLowerCase();
  if (!id && !signature) return null;
  if (
    !UUID.test(id) ||
    !/^\d{1,12}$/.test(timestamp) ||
    !NONCE.test(nonce) ||
    !/^[0-9a-f]{64}$/.test(signature)
  )
    throw refused();
  if (Math.abs(now / 1000 - Number(timestamp)) > CLOCK_SKEW_SECONDS)
    throw new DomainError("UNAUTHORIZED", msg("terminals.staleRequest", { seconds: CLOCK_SKEW_SECONDS }));
  const [row] = await deps.db.select().from(terminals).where(eq(terminals.id, id));
  // An unknown id costs the same HMAC as a known one, so the answer does not tell which ids exist.
  const secret = terminalSecretOf(deps.terminalKey, id, row?.secretSalt ?? "none");
  const expected = signTerminalText(
    secret,
    signedText(req.method, req.path, timestamp, nonce, bodyDigest(req.body)),
  );
  if (!signatureMatches(expected, signature) || !row) throw refused();
  // Seen nonces are kept for twice the window: a replay inside the window finds its nonce taken, one
  // after it fails the timestamp check.
  const fresh = await deps.redis.set(
    `${deps.redisPrefix}:terminal-nonce:${id}:${nonce}`,
    "1",
    "EX",
    CLOCK_SKEW_SECONDS * 2 + 5,
    "NX",
  );
  if (fresh !== "OK") throw new DomainError("UNAUTHORIZED", msg("terminals.replayed"));
  // A pending terminal's polling shows the admin it is switched on (and from where) while it waits.
  if (row.state === "pending")
    await deps.db
      .update(terminals)
      .set({ lastContactAt: new Date(now) })
      .where(eq(terminals.id, id));
  if (row.state === "pending") throw new DomainError("FORBIDDEN", msg("terminals.pending"));
  if (row.state === "revoked") throw new DomainError("FORBIDDEN", msg("terminals.revoked"));
  return row;
}
