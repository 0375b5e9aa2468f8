// How the portal proves to an agent that a console connection is allowed: a short-lived grant for one
// instance and one console kind, signed with the portal's Ed25519 key; agents hold only the public key
// (handed out at join), so a compromised host cannot mint grants for other hosts' VMs.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { z } from "zod";

export const CONSOLE_KINDS = ["vnc", "serial"] as const;
export type ConsoleKind = (typeof CONSOLE_KINDS)[number];
/**
 * What a grant may be for: a console stream, or one screenshot of the VM's display ("thumbnail",
 * answered only at AGENT_THUMBNAIL_PATH; a console connection refuses it, and the thumbnail endpoint
 * refuses console grants).
 */
export const GRANT_KINDS = [...CONSOLE_KINDS, "thumbnail"] as const;
export type GrantKind = (typeof GRANT_KINDS)[number];

export const consoleGrantSchema = z.object({
  /** The host the grant is for: another host refuses it. */
  hostId: z.uuid(),
  instanceId: z.uuid(),
  kind: z.enum(GRANT_KINDS),
  /** Expiry, ms since the epoch. Grants live seconds, not minutes. */
  exp: z.number().int().positive(),
  /** Random: the agent accepts each grant once. */
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});
export type ConsoleGrant = z.infer<typeof consoleGrantSchema>;

const b64 = (b: Buffer) => b.toString("base64url");

// PKCS#8 / SPKI wrappers for a raw 32-byte Ed25519 key (RFC 8410).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** The portal's signing key from a 32-byte seed (kept in the portal's configuration). */
export function consoleSigningKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error("the console signing seed must be 32 bytes");
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

/** What agents are given to verify grants: the public key as base64url SPKI DER. */
export function exportVerifyKey(signingKey: KeyObject): string {
  return b64(createPublicKey(signingKey).export({ format: "der", type: "spki" }) as Buffer);
}

export function importVerifyKey(spkiBase64url: string): KeyObject {
  return createPublicKey({ key: Buffer.from(spkiBase64url, "base64url"), format: "der", type: "spki" });
}

export function signConsoleGrant(
  grant: Omit<ConsoleGrant, "nonce"> & { nonce?: string },
  key: KeyObject,
): string {
  const full = consoleGrantSchema.parse({ ...grant, nonce: grant.nonce ?? b64(randomBytes(18)) });
  const body = b64(Buffer.from(JSON.stringify(full)));
  return `${body}.${b64(sign(null, Buffer.from(body), key))}`;
}

export type GrantCheck =
  | { ok: true; grant: ConsoleGrant }
  | { ok: false; reason: "malformed" | "bad-signature" | "expired" | "wrong-host" };

/** Signature, shape, expiry and host; the caller also refuses a nonce it has seen (single use). */
export function verifyConsoleGrant(
  token: string,
  key: KeyObject,
  expect: { hostId: string; now?: number },
): GrantCheck {
  const [body, sig, extra] = token.split(".");
  if (!body || !sig || extra !== undefined || token.length > 2048) return { ok: false, reason: "malformed" };
  let valid: boolean;
  try {
    valid = verify(null, Buffer.from(body), key, Buffer.from(sig, "base64url"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (!valid) return { ok: false, reason: "bad-signature" };
  let parsed;
  try {
    parsed = consoleGrantSchema.safeParse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (!parsed.success) return { ok: false, reason: "malformed" };
  if (parsed.data.exp <= (expect.now ?? Date.now())) return { ok: false, reason: "expired" };
  if (parsed.data.hostId !== expect.hostId) return { ok: false, reason: "wrong-host" };
  return { ok: true, grant: parsed.data };
}
