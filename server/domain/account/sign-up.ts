import { eq } from "drizzle-orm";
import type { z } from "zod";
import { groups, memberships, users } from "@/db/schema";
import type { signUpInput } from "@/common/accounts";
import { msg } from "@/common/message";
import { hashPassword } from "@/server/auth/password";
import type { Database } from "@/server/db/client";
import type { DomainContext } from "../context";
import { isDuplicateKey } from "../db-errors";
import { DomainError } from "../errors";
import { readPortalSettings } from "../settings/portal-settings";
import { reserveSignUp } from "./sign-up-limit";

/** What the sign-in page may know: whether the sign-up link is shown. Nothing else about the install. */
export async function getSignUpOptions(db: Database): Promise<{ enabled: boolean }> {
  const s = await readPortalSettings(db);
  return { enabled: s.signUp.enabled && s.signUp.groupId !== null };
}

/**
 * Creates an account for a stranger, when an administrator switched self sign-up on: role user, member of
 * the configured group, pending until that group's admin approves when approval is required.
 */
export async function signUp(
  ctx: DomainContext,
  input: z.output<typeof signUpInput>,
): Promise<{ id: number; pending: boolean }> {
  const settings = (await readPortalSettings(ctx.db)).signUp;
  if (!settings.enabled || settings.groupId === null)
    throw new DomainError("FORBIDDEN", msg("accounts.signUpOff"));
  // Before the password is hashed or a row is written: a flood costs the portal next to nothing.
  await reserveSignUp(ctx.redis, ctx.settings.redisPrefix, ctx.ip);
  const groupId = settings.groupId;
  const passwordHash = await hashPassword(input.password);
  try {
    const id = await ctx.db.transaction(async (tx) => {
      const [g] = await tx.select({ id: groups.id }).from(groups).where(eq(groups.id, groupId));
      if (!g) throw new DomainError("FORBIDDEN", msg("accounts.signUpOff"));
      const [res] = await tx.insert(users).values({
        username: input.username,
        displayName: input.displayName,
        email: input.email,
        passwordHash,
        role: "user",
        pendingApproval: settings.needsApproval,
      });
      await tx.insert(memberships).values({ userId: res.insertId, groupId, isAdmin: false });
      return res.insertId;
    });
    return { id, pending: settings.needsApproval };
  } catch (err) {
    if (isDuplicateKey(err))
      throw new DomainError("CONFLICT", msg("users.nameTaken", { name: input.username }), {
        username: msg("field.usernameTaken"),
      });
    throw err;
  }
}
