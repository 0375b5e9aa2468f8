// The token a user is handed once: `ect_<publicId>_<secret>`. The public id (16 hex) finds the row and
// names the token in lists and the audit log; the secret (32 random bytes, base64url) is kept only as its
// SHA-256. A 256-bit random secret cannot be guessed, so a slow password hash would add nothing but
// latency on every request; the comparison is constant-time all the same.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { API_TOKEN_PREFIX } from "@/common/api-tokens";

const TOKEN_PATTERN = /^ect_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface MintedToken {
  token: string;
  publicId: string;
  secretHash: string;
}

export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");

export function mintToken(): MintedToken {
  const publicId = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { token: `${API_TOKEN_PREFIX}${publicId}_${secret}`, publicId, secretHash: hashSecret(secret) };
}

/** The token's two halves, or null when it is not shaped like one of ours. */
export function parseToken(token: string): { publicId: string; secret: string } | null {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { publicId: m[1]!, secret: m[2]! } : null;
}

/** Whether the secret is the one whose hash is stored, in time that does not depend on where they differ. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
