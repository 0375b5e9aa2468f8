import { eq, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { users } from "@/db/schema";
import { burnPasswordCheck, verifyPassword } from "@/server/auth/password";
import type { Database } from "@/server/db/client";
import { recordAudit } from "../audit/record-audit";
import { DomainError, isUnavailableError, unavailable } from "../errors";
import {
  assertLoginAllowed,
  clearAccountFailures,
  countLoginFailure,
  type LoginLimits,
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

export async function authenticateUser(
  deps: { db: Database; redis: Redis; limits: LoginLimits },
  input: { username: string; password: string; ip: string | null },
): Promise<AuthenticatedUser> {
  const { db, redis, limits } = deps;
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

  try {
    await assertLoginAllowed(redis, limits, username, input.ip);
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
    ? await verifyPassword(row.passwordHash, input.password)
    : (await burnPasswordCheck(input.password), false);
  if (!row || !ok || row.disabled) {
    await countLoginFailure(redis, limits, username, input.ip).catch(() => undefined);
    await audit("failure", row?.id ?? null, "INVALID_CREDENTIALS");
    throw new DomainError("UNAUTHORIZED", msg("auth.invalidCredentials"));
  }
  await clearAccountFailures(redis, limits, username).catch(() => undefined);
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
