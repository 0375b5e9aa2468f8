import { eq, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { users } from "@/db/schema";
import { burnPasswordCheck, verifyPassword } from "@/server/auth/password";
import type { Database } from "@/server/db/client";
import { recordAudit } from "../audit/record-audit";
import { DomainError, isUnavailableError, unavailable } from "../errors";
import {
  recordLoginFailure,
  recordLoginSuccess,
  reserveLoginAttempt,
  type LoginLimits,
  type LoginSlot,
} from "./login-rate-limit";
import { msg } from "@/common/message";

export interface AuthenticatedUser {
  id: number;
  username: string;
  role: string;
  sessionVersion: number;
  locale: string;
  theme: string;
}

/** The one answer for every wrong-credentials case: unknown name, wrong password, disabled account. */
/** The English text of a refused sign-in (the code is "auth.invalidCredentials"). */
export const INVALID_CREDENTIALS = "Wrong username or password.";

export interface PasswordChecks {
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** The same work for a name with no account, so the answer takes as long either way. */
  burn(password: string): Promise<void>;
}

const ARGON2: PasswordChecks = { verify: verifyPassword, burn: burnPasswordCheck };

/**
 * Signs a user in. The attempt takes its rate-limit slot *before* the password is checked, so no
 * number of concurrent guesses gets more checks than the limits allow. `device` is the browser's
 * device token: a browser that signed in to this account before is not held by the account's lock.
 */
export async function authenticateUser(
  deps: { db: Database; redis: Redis; limits: LoginLimits; passwords?: PasswordChecks },
  input: { username: string; password: string; ip: string | null; device?: string | null },
): Promise<AuthenticatedUser> {
  const { db, redis, limits } = deps;
  const passwords = deps.passwords ?? ARGON2;
  const from = { ip: input.ip, device: input.device ?? null };
  const username = input.username.trim().toLowerCase();
  const audit = (result: "success" | "failure", actorId: number | null, errorCode?: string) =>
    recordAudit(db, {
      actorId,
      actorName: username.slice(0, 64),
      action: "auth.login",
      targetType: "user",
      targetId: actorId === null ? null : String(actorId),
      result,
      errorCode,
      ip: input.ip,
    }).catch(() => undefined);

  let slot: LoginSlot;
  try {
    slot = await reserveLoginAttempt(redis, limits, username, from);
  } catch (err) {
    if (err instanceof DomainError) {
      await audit("failure", null, "RATE_LIMITED");
      throw err;
    }
    throw isUnavailableError(err) ? unavailable("redis") : err;
  }

  let row: typeof users.$inferSelect | undefined;
  try {
    row = await db.query.users.findFirst({ where: eq(users.username, username) });
  } catch (err) {
    throw isUnavailableError(err) ? unavailable("database") : err;
  }
  const ok = row
    ? await passwords.verify(row.passwordHash, input.password)
    : (await passwords.burn(input.password), false);
  if (!row || !ok || row.disabled) {
    await recordLoginFailure(redis, limits, slot, from).catch(() => undefined);
    await audit("failure", row?.id ?? null, "INVALID_CREDENTIALS");
    throw new DomainError("UNAUTHORIZED", msg("auth.invalidCredentials"));
  }
  await recordLoginSuccess(redis, limits, username, slot, from).catch(() => undefined);
  // Told only after the right password: to anyone else a pending account looks like any wrong guess.
  if (row.pendingApproval) {
    await audit("failure", row.id, "PENDING_APPROVAL");
    throw new DomainError("FORBIDDEN", msg("accounts.pendingApproval"));
  }
  await db
    .update(users)
    .set({ lastLoginAt: sql`CURRENT_TIMESTAMP(3)` as unknown as Date })
    .where(eq(users.id, row.id));
  await audit("success", row.id);
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    sessionVersion: row.sessionVersion,
    locale: row.locale,
    theme: row.theme,
  };
}
