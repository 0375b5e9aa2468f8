// Fixtures for accounts: portal settings, pending sign-ups and reset tokens written straight to the tables.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { passwordResetTokens, portalSettings, users } from "@/db/schema";
import type { AccountRole } from "@/db/schema/roles";
import { hashResetToken } from "@/server/domain/account/reset-links";
import { signUpAddressKey, signUpPortalKey } from "@/server/domain/account/sign-up-limit";
import type { SignUpSettings } from "@/server/domain/settings/portal-settings";
import { makeUser, type TestServices } from "./fixtures";

export async function setSignUp(s: TestServices, signUp: SignUpSettings): Promise<void> {
  await s.db
    .insert(portalSettings)
    .values({ key: "signUp", value: signUp })
    .onDuplicateKeyUpdate({ set: { value: signUp } });
}

/** Empties the sign-up counters of an address and the portal's (tests that sign up many times). */
export async function clearSignUpLimits(s: TestServices, ip: string | null): Promise<void> {
  await s.redis.del(signUpAddressKey(s.prefix, ip), signUpPortalKey(s.prefix));
}

/** A self-signed-up account in the groups, waiting for approval. */
export async function makePendingUser(s: TestServices, groupIds: number[], role: AccountRole = "user") {
  const u = await makeUser(s, role, groupIds, { adminOf: [] });
  await s.db.update(users).set({ pendingApproval: true }).where(eq(users.id, u.id));
  return u;
}

/**
 * A valid reset token for the user, as if issued now by issuedBy (a fresh superAdm when not given), or
 * expired when ttlMs is negative. Redeeming re-checks the issuer's reach, so the issuer must be real.
 */
export async function makeResetToken(
  s: TestServices,
  userId: number,
  ttlMs = 30 * 60_000,
  issuedBy?: number,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const createdBy = issuedBy ?? (await makeUser(s, "superAdm")).id;
  await s.db.insert(passwordResetTokens).values({
    tokenHash: hashResetToken(token),
    userId,
    createdBy,
    expiresAt: new Date(Date.now() + ttlMs),
  });
  return token;
}
