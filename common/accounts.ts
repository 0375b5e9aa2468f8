// Account self-service and portal settings: zod schemas shared by the forms and the server (client-safe).
import { z } from "zod";
import { displayNameSchema, emailSchema, idSchema, passwordSchema, usernameSchema } from "./users";

/** How long a reset link works after it is issued. */
export const RESET_LINK_TTL_MINUTES = 30;

/** Rows one CSV import may hold (a few classes at once; each row hashes a password). */
export const CSV_IMPORT_MAX_ROWS = 500;
/** Characters of CSV text accepted (500 rows of long names and addresses fit). */
export const CSV_IMPORT_MAX_CHARS = 200_000;

const passwordsMatch = (v: { password: string; confirmPassword: string }) => v.password === v.confirmPassword;
const differ = { path: ["confirmPassword"], message: "The passwords differ." };

export const signUpInput = z
  .object({
    username: usernameSchema,
    displayName: displayNameSchema,
    email: z.email("Not a valid e-mail address.").max(254),
    password: passwordSchema,
    confirmPassword: z.string().max(256),
  })
  .refine(passwordsMatch, differ);

export const updateProfileInput = z.object({
  displayName: displayNameSchema,
  email: emailSchema,
});

/** A reset link's token: 32 random bytes, base64url (43 characters). */
export const resetTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "Not valid.");

export const redeemResetLinkInput = z
  .object({
    token: resetTokenSchema,
    password: passwordSchema,
    confirmPassword: z.string().max(256),
  })
  .refine(passwordsMatch, differ);

export const issueResetLinkInput = z.object({ id: idSchema });
export const approveUserInput = z.object({ id: idSchema });

export const importCsvInput = z.object({
  csv: z
    .string()
    .min(1, "Required.")
    .max(CSV_IMPORT_MAX_CHARS, `At most ${CSV_IMPORT_MAX_CHARS} characters.`),
});

export const smtpSettingsInput = z.object({
  host: z
    .string()
    .trim()
    .min(1, "Required.")
    .max(253)
    .regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/, "Not in the allowed format."),
  port: z.number().int().min(1).max(65535),
  from: z.email("Not a valid e-mail address.").max(254),
  user: z.string().trim().max(254).default(""),
  /** Write-only: undefined keeps the stored password, "" removes it. Never sent back to a browser. */
  password: z.string().max(512).optional(),
});

export const portalSettingsInput = z.object({
  signUpEnabled: z.boolean(),
  /** The group new accounts land in; required while sign-up is on. */
  signUpGroupId: idSchema.nullable(),
  signUpNeedsApproval: z.boolean(),
  /** null: no mail (reset links are only handed over by the admin). */
  smtp: smtpSettingsInput.nullable(),
});
export type PortalSettingsInput = z.input<typeof portalSettingsInput>;

/** Portal settings as a browser sees them: the SMTP password only as "one is set". */
export interface PortalSettingsView {
  signUpEnabled: boolean;
  signUpGroupId: number | null;
  signUpNeedsApproval: boolean;
  smtp: { host: string; port: number; from: string; user: string; passwordSet: boolean } | null;
}

/** One row of a CSV import's result; the password only on created rows, shown once. */
export interface ImportRowResult {
  line: number;
  username: string;
  status: "created" | "error";
  password?: string;
  error?: { code: string; params: Record<string, string | number> };
}
