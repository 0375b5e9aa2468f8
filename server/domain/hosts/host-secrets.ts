import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 256-bit random values; stored only as sha256 (no KDF needed: they cannot be guessed like passwords). */
export const newSecret = () => randomBytes(32).toString("base64url");
export const sha256Hex = (s: string) => createHash("sha256").update(s).digest("hex");

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(sha256Hex(secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
