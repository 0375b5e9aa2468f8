import { hkdfSync, type KeyObject } from "node:crypto";
import { consoleSigningKeyFromSeed, exportVerifyKey } from "@/agents/protocol/console-grant";

/**
 * The portal's console-grant signing key, derived from NEXTAUTH_SECRET (no extra secret to manage;
 * rotating NEXTAUTH_SECRET rotates it, and agents fetch the new public key when they restart).
 * Every portal replica derives the same key.
 */
export function deriveConsoleSigningKey(secret: string): KeyObject {
  return consoleSigningKeyFromSeed(
    Buffer.from(hkdfSync("sha256", secret, "educloud", "console-grant-v1", 32)),
  );
}

export const consoleVerifyKeyOf = (secret: string) => exportVerifyKey(deriveConsoleSigningKey(secret));
