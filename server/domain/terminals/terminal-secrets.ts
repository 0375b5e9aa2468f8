// A terminal's secret and the signature over each of its requests (decision 015). The secret is never
// stored: it is HMAC(terminal key, id, salt), where the key derives from NEXTAUTH_SECRET and the salt is
// the row's. A database dump therefore gives no terminal's secret, yet the portal can check an HMAC made
// with it (which a stored hash alone could not). A new salt is a new secret.
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

export function deriveTerminalKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "educloud", "terminal-secret-v1", 32));
}

export const newSecretSalt = (): string => randomBytes(32).toString("base64url");

/** 256 bits, base64url (43 characters): what the terminal keeps and signs with. */
export function terminalSecretOf(key: Buffer, terminalId: string, salt: string): string {
  return createHmac("sha256", key).update(`terminal-secret-v1\n${terminalId}\n${salt}`).digest("base64url");
}

/** The headers a terminal's request carries. */
export const TERMINAL_HEADERS = {
  id: "x-educloud-terminal",
  timestamp: "x-educloud-timestamp",
  nonce: "x-educloud-nonce",
  signature: "x-educloud-signature",
} as const;

/** The largest body a terminal's request may carry (its requests have none or a small JSON one). */
export const TERMINAL_MAX_BODY_BYTES = 16 * 1024;

/** Hex SHA-256 of a request body (an empty body too), as `openssl dgst -sha256` prints it. */
export const bodyDigest = (body: Uint8Array | string = ""): string =>
  createHash("sha256").update(body).digest("hex");

/**
 * What is signed: method, path (with the query string), timestamp (Unix seconds), nonce and the body's
 * SHA-256 (hex; of nothing for a GET), one per line, no trailing newline — what
 * `printf '%s\n%s\n%s\n%s\n%s'` gives the boot script's openssl. The body is covered so a request caught
 * on the way cannot be sent on with another body under the same signature.
 */
export function signedText(
  method: string,
  path: string,
  timestamp: string,
  nonce: string,
  bodySha256: string,
): string {
  return [method.toUpperCase(), path, timestamp, nonce, bodySha256].join("\n");
}

/** Hex HMAC-SHA256 keyed with the secret's text (as `openssl dgst -sha256 -hmac "$SECRET"` makes it). */
export function signTerminalText(secret: string, text: string): string {
  return createHmac("sha256", secret).update(text).digest("hex");
}

export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The headers for one request of this terminal (the portal's tests and any Node client). */
export function signTerminalRequest(
  terminal: { id: string; secret: string },
  method: string,
  path: string,
  opts: { now?: number; nonce?: string; body?: string } = {},
): Record<string, string> {
  const timestamp = String(Math.floor((opts.now ?? Date.now()) / 1000));
  const nonce = opts.nonce ?? randomBytes(16).toString("hex");
  return {
    [TERMINAL_HEADERS.id]: terminal.id,
    [TERMINAL_HEADERS.timestamp]: timestamp,
    [TERMINAL_HEADERS.nonce]: nonce,
    [TERMINAL_HEADERS.signature]: signTerminalText(
      terminal.secret,
      signedText(method, path, timestamp, nonce, bodyDigest(opts.body)),
    ),
  };
}
