import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { z } from "zod";
import { createTranslator } from "use-intl/core";
import en from "@/messages/en.json" with { type: "json" };
import zh from "@/messages/zh-CN.json" with { type: "json" };
import { memberships, passwordResetTokens, users } from "@/db/schema";
import type { AccountRole } from "@/db/schema/roles";
import { RESET_LINK_TTL_MINUTES, type redeemResetLinkInput } from "@/common/accounts";
import { msg } from "@/common/message";
import { hashPassword } from "@/server/auth/password";
import type { Database } from "@/server/db/client";
import { sendMail } from "@/server/mail/send-mail";
import { refuseOwnAccountByToken, requireActor, type Actor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { assertMayActOn, isAllowed, mayActOn } from "../policies/authorize";
import { readPortalSettings } from "../settings/portal-settings";
import { unsealSecret } from "../settings/seal-secret";
import { findGroupIdsOfUsers } from "../users/user-view";
import { actorOf } from "./load-actor";
import { clearAccountLock } from "./login-rate-limit";
import { endOtherSessions } from "./sessions";

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

// A group's admin may reset only students and powerUsers: one teacher must not take over another's account.
const roleOpenTo = (issuer: Actor, targetRole: AccountRole): boolean =>
  issuer.role === "superAdm" || targetRole === "user" || targetRole === "powerUser";

/** The whole rule for who may hand whom a link, asked again when the link is redeemed. */
function mayIssueFor(issuer: Actor, target: { id: number; role: AccountRole; groupIds: number[] }): boolean {
  return (
    isAllowed(issuer, "users", "issueResetLink") &&
    mayActOn(issuer, "users", { id: target.id, groupIds: target.groupIds }) &&
    roleOpenTo(issuer, target.role)
  );
}

export const hashResetToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export interface IssuedResetLink {
  id: number;
  /** The link's path (/reset/<token>): shown once to the issuer, never stored. */
  path: string;
  expiresAt: Date;
  /** Whether it was also mailed: "off" (no SMTP or no address), "sent", or "failed". */
  mail: "off" | "sent" | "failed";
}

/**
 * A one-time link to set a new password, for when a user forgot theirs and there is no mail: the issuer
 * hands it over. superAdm may issue it for anyone; a group's admin for the members of the groups they
 * administer, but never for another admin (that would let one teacher take over another's account).
 * Only the SHA-256 of the token is kept; a new link voids the user's older ones.
 */
export async function issueResetLink(ctx: DomainContext, input: { id: number }): Promise<IssuedResetLink> {
  const actor = requireActor(ctx);
  refuseOwnAccountByToken(actor, input.id);
  const target = await ctx.db.query.users.findFirst({ where: eq(users.id, input.id) });
  if (!target) throw notFound("user");
  const groupIds = (await findGroupIdsOfUsers(ctx.db, [target.id])).get(target.id) ?? [];
  assertMayActOn(actor, "users", { id: target.id, groupIds });
  if (!roleOpenTo(actor, target.role))
    throw new DomainError("FORBIDDEN", msg("accounts.resetAdminOnlySuperAdm"));

  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + RESET_LINK_TTL_MINUTES * 60_000);
  await ctx.db.transaction(async (tx) => {
    // The user's row lock orders two issuers: exactly one link stays valid, the newest.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, target.id)).for("update");
    await tx.delete(passwordResetTokens).where(eq(passwordResetTokens.userId, target.id));
    await tx.insert(passwordResetTokens).values({
      tokenHash: hashResetToken(token),
      userId: target.id,
      createdBy: actor.id,
      expiresAt,
    });
  });
  const path = `/reset/${token}`;
  let mail: IssuedResetLink["mail"] = "off";
  const smtp = (await readPortalSettings(ctx.db)).smtp;
  if (smtp && target.email) {
    const link = new URL(path, ctx.settings.portalUrl).toString();
    try {
      const password = unsealSecret(smtp.password, ctx.settings.settingsSealKey);
      await sendMail(
        { ...smtp, password },
        { to: target.email, ...resetMail(target.locale, target.displayName, link) },
      );
      mail = "sent";
    } catch {
      // The error may quote the message (the link in it): nothing of it is logged; the issuer hands it over.
      mail = "failed";
    }
  }
  return { id: target.id, path, expiresAt, mail };
}

function resetMail(locale: string, name: string, link: string): { subject: string; text: string } {
  const t = createTranslator({
    locale: locale === "zh-CN" ? "zh-CN" : "en",
    messages: { mail: (locale === "zh-CN" ? zh : en).accountsMail },
  }) as unknown as (key: string, params?: Record<string, string | number>) => string;
  return {
    subject: t("mail.resetSubject"),
    text: t("mail.resetBody", { name, link, minutes: RESET_LINK_TTL_MINUTES }),
  };
}

/**
 * Sets a new password with a reset link's token. The token is the proof, so one link works once, within its
 * time, and every session of the account ends (whoever held the old password is out).
 */
export async function redeemResetLink(
  ctx: DomainContext,
  input: z.output<typeof redeemResetLinkInput>,
): Promise<{ id: number; username: string }> {
  const tokenHash = hashResetToken(input.token);
  const invalid = () => new DomainError("INVALID", msg("accounts.resetLinkInvalid"));
  // Checked before the (slow) hashing: a wrong token costs one indexed read.
  const found = await ctx.db.query.passwordResetTokens.findFirst({
    where: eq(passwordResetTokens.tokenHash, tokenHash),
  });
  if (!found || found.usedAt || found.expiresAt.getTime() <= Date.now()) throw invalid();
  const passwordHash = await hashPassword(input.password);
  const user = await ctx.db.transaction(async (tx) => {
    // The user's row first (as updateUser and issueResetLink lock it): a role or class change waits for
    // this redeem or lands before it, never in between the check and the new password.
    const [row] = await tx.select().from(users).where(eq(users.id, found.userId)).for("update");
    if (!row) throw invalid();
    // The link carries its issuer's reach at the time: it works only while that reach still holds.
    // Same answer as any invalid link: whoever holds it learns nothing of why.
    if (!(await issuerStillReaches(tx, found.createdBy, row))) throw invalid();
    // Marking it used is the claim: of two tabs redeeming at once, one changes the password.
    const [claimed] = await tx
      .update(passwordResetTokens)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(passwordResetTokens.tokenHash, tokenHash),
          isNull(passwordResetTokens.usedAt),
          gt(passwordResetTokens.expiresAt, new Date()),
        ),
      );
    if (claimed.affectedRows !== 1) throw invalid();
    await tx
      .update(users)
      .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` as unknown as number })
      .where(eq(users.id, row.id));
    return row;
  });
  const store = { redis: ctx.redis, redisPrefix: ctx.settings.redisPrefix };
  // The version moved on in the transaction; this ends the live session set too (no session kept).
  await endOtherSessions(store, user.id, null);
  // They proved who they are: a lock left by someone guessing at the name no longer holds them.
  await clearAccountLock(ctx.redis, ctx.settings.redisPrefix, user.username);
  return { id: user.id, username: user.username };
}

/**
 * Whether the link's issuer may still issue it for this user now: still enabled, and a superAdm, or still
 * the admin of a group the user is in while the user is still a user or powerUser. Locking reads (FOR
 * UPDATE: MariaDB has no FOR SHARE), so a concurrent disable or change of admins is seen or waits, never
 * read from an older snapshot.
 */
async function issuerStillReaches(
  tx: Tx,
  issuerId: number | null,
  target: typeof users.$inferSelect,
): Promise<boolean> {
  if (issuerId === null) return false; // the issuer's account was deleted
  const [issuer] = await tx.select().from(users).where(eq(users.id, issuerId)).for("update");
  if (!issuer || issuer.disabled || issuer.pendingApproval) return false;
  const ofIssuer = await tx
    .select({ groupId: memberships.groupId, isAdmin: memberships.isAdmin })
    .from(memberships)
    .where(eq(memberships.userId, issuerId))
    .for("update");
  const ofTarget = await tx
    .select({ groupId: memberships.groupId })
    .from(memberships)
    .where(eq(memberships.userId, target.id))
    .for("update");
  return mayIssueFor(actorOf(issuer, ofIssuer), {
    id: target.id,
    role: target.role,
    groupIds: ofTarget.map((m) => m.groupId),
  });
}
