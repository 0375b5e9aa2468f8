// Settings an administrator changes in the portal (self sign-up, mail), kept as JSON rows in portal_settings.
import { eq, inArray } from "drizzle-orm";
import type { z } from "zod";
import { groups, portalSettings } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { PortalSettingsView, portalSettingsInput } from "@/common/accounts";
import { msg } from "@/common/message";
import { requireActor, type DomainContext } from "../context";
import { DomainError } from "../errors";
import { sealSecret } from "./seal-secret";

export interface SignUpSettings {
  enabled: boolean;
  groupId: number | null;
  needsApproval: boolean;
}

export interface SmtpSettings {
  host: string;
  port: number;
  from: string;
  user: string;
  /** Sealed (seal-secret.ts) as stored; never in a view, a log or the audit trail. */
  password: string;
}

export interface PortalSettings {
  signUp: SignUpSettings;
  smtp: SmtpSettings | null;
}

// Off by default: an install opens itself to strangers only when an administrator says so.
const DEFAULTS: PortalSettings = {
  signUp: { enabled: false, groupId: null, needsApproval: true },
  smtp: null,
};

const KEYS = ["signUp", "smtp"] as const;

// "No mail" is stored as {off: true}: the column is NOT NULL JSON.
const isSmtp = (v: unknown): boolean => typeof (v as { host?: unknown } | null)?.host === "string";

/** The settings as the server uses them (the SMTP password included): never hand this to a client. */
export async function readPortalSettings(db: Database): Promise<PortalSettings> {
  const rows = await db
    .select()
    .from(portalSettings)
    .where(inArray(portalSettings.key, [...KEYS]));
  const byKey = new Map(rows.map((r) => [r.key, r.value]));
  return {
    signUp: { ...DEFAULTS.signUp, ...((byKey.get("signUp") as Partial<SignUpSettings> | undefined) ?? {}) },
    smtp: isSmtp(byKey.get("smtp")) ? (byKey.get("smtp") as SmtpSettings) : null,
  };
}

export function toSettingsView(s: PortalSettings): PortalSettingsView {
  return {
    signUpEnabled: s.signUp.enabled,
    signUpGroupId: s.signUp.groupId,
    signUpNeedsApproval: s.signUp.needsApproval,
    smtp: s.smtp
      ? {
          host: s.smtp.host,
          port: s.smtp.port,
          from: s.smtp.from,
          user: s.smtp.user,
          passwordSet: s.smtp.password.length > 0,
        }
      : null,
  };
}

export async function getPortalSettings(ctx: DomainContext): Promise<PortalSettingsView> {
  requireActor(ctx);
  return toSettingsView(await readPortalSettings(ctx.db));
}

export async function updatePortalSettings(
  ctx: DomainContext,
  input: z.output<typeof portalSettingsInput>,
): Promise<PortalSettingsView> {
  const actor = requireActor(ctx);
  if (input.signUpEnabled && input.signUpGroupId === null) {
    throw new DomainError("INVALID", msg("accounts.signUpNeedsGroup"), {
      signUpGroupId: msg("validation.required"),
    });
  }
  await ctx.db.transaction(async (tx) => {
    if (input.signUpGroupId !== null) {
      const [g] = await tx.select({ id: groups.id }).from(groups).where(eq(groups.id, input.signUpGroupId));
      if (!g)
        throw new DomainError("INVALID", msg("users.unknownGroup"), {
          signUpGroupId: msg("field.unknownGroup"),
        });
    }
    // The stored password stays unless a new one (or "" to remove it) was typed.
    const [stored] = await tx
      .select()
      .from(portalSettings)
      .where(eq(portalSettings.key, "smtp"))
      .for("update");
    const old = isSmtp(stored?.value) ? (stored!.value as SmtpSettings) : null;
    const smtp: SmtpSettings | null = input.smtp
      ? {
          host: input.smtp.host,
          port: input.smtp.port,
          from: input.smtp.from,
          user: input.smtp.user,
          password: nextSealedPassword(ctx, old, input.smtp),
        }
      : null;
    const signUp: SignUpSettings = {
      enabled: input.signUpEnabled,
      groupId: input.signUpGroupId,
      needsApproval: input.signUpNeedsApproval,
    };
    for (const [key, value] of [
      ["signUp", signUp],
      ["smtp", smtp ?? { off: true }],
    ] as const) {
      await tx
        .insert(portalSettings)
        .values({ key, value, updatedBy: actor.id })
        .onDuplicateKeyUpdate({ set: { value, updatedBy: actor.id, updatedAt: new Date() } });
    }
  });
  return getPortalSettings(ctx);
}

/**
 * The sealed password to store. Kept only while it would go to the same server as the same user: a
 * stolen superAdm session could otherwise point the stored password at a server of its own and read it
 * from that server's AUTH. So a change of server, port or user needs the password typed again. Without a
 * user no password is sent, and none is kept.
 */
function nextSealedPassword(
  ctx: DomainContext,
  old: SmtpSettings | null,
  input: NonNullable<z.output<typeof portalSettingsInput>["smtp"]>,
): string {
  if (input.user === "") return "";
  if (input.password !== undefined) return sealSecret(input.password, ctx.settings.settingsSealKey);
  if (!old || old.password === "") return "";
  const sameDestination = old.host === input.host && old.port === input.port && old.user === input.user;
  if (!sameDestination)
    throw new DomainError("INVALID", msg("accounts.smtpPasswordAgain"), {
      "smtp.password": msg("accounts.smtpPasswordAgainField"),
    });
  return old.password;
}
