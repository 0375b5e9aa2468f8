// Secrets an administrator types into the portal (the SMTP password) are kept sealed in MariaDB: a
// database dump or backup alone does not give the school's mail account away.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const PREFIX = "sealed:v1:";

/** The key that seals stored settings: from NEXTAUTH_SECRET with a label of its own. */
export function deriveSettingsSealKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "educloud", "settings-seal-v1", 32));
}

/** AES-256-GCM with a random nonce; the empty string stays empty ("no password"). */
export function sealSecret(plain: string, key: Buffer): string {
  if (plain === "") return "";
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** Throws when the value was sealed with another key (NEXTAUTH_SECRET changed) or altered. */
export function unsealSecret(stored: string, key: Buffer): string {
  if (stored === "") return "";
  if (!stored.startsWith(PREFIX)) throw new Error("the stored secret is not sealed");
  const raw = Buffer.from(stored.slice(PREFIX.length), "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}
