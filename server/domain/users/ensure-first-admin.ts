import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { passwordResetTokens, users } from "@/db/schema";
import { hashPassword } from "@/server/auth/password";
import type { Database } from "@/server/db/client";
import { recordAudit } from "../audit/record-audit";

export interface FirstAdminResult {
  username: string;
  /** Set only when the password was generated now and must be shown to the operator once. */
  generatedPassword?: string;
  action: "created" | "password-set" | "kept";
}

/**
 * Creates the first superAdm, or leaves the existing one alone. A password given explicitly
 * (EDUCLOUD_ADMIN_PASSWORD) is applied even to an existing admin, so re-running setup with it
 * is the documented way to recover a lost admin password.
 */
export async function ensureFirstAdmin(
  db: Database,
  opts: { username: string; password?: string },
): Promise<FirstAdminResult> {
  const existing = await db.query.users.findFirst({ where: eq(users.username, opts.username) });
  if (existing) {
    if (!opts.password) return { username: opts.username, action: "kept" };
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(opts.password), role: "superAdm", disabled: false })
      .where(eq(users.id, existing.id));
    // The role may have changed (and the operator set the password): links issued before are void.
    await db.delete(passwordResetTokens).where(eq(passwordResetTokens.userId, existing.id));
    await recordAudit(db, {
      actorId: null,
      actorName: "setup",
      action: "setup.adminPassword",
      targetType: "user",
      targetId: String(existing.id),
      result: "success",
      ip: null,
    });
    return { username: opts.username, action: "password-set" };
  }
  const generatedPassword = opts.password ? undefined : randomBytes(12).toString("base64url");
  const [res] = await db.insert(users).values({
    username: opts.username,
    displayName: "Administrator",
    passwordHash: await hashPassword(opts.password ?? generatedPassword!),
    role: "superAdm",
  });
  await recordAudit(db, {
    actorId: null,
    actorName: "setup",
    action: "setup.createAdmin",
    targetType: "user",
    targetId: String(res.insertId),
    result: "success",
    ip: null,
  });
  return { username: opts.username, generatedPassword, action: "created" };
}
