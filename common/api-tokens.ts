// API tokens (docs/security.md "API tokens"): the forms' and the server's schemas (client-safe).
import { z } from "zod";
import { idSchema, roleSchema } from "./users";

/** How long a new token lives, in days: a preset, never more than a year (a token that never ends is forgotten). */
export const API_TOKEN_EXPIRY_DAYS = [7, 30, 90, 365] as const;
export type ApiTokenExpiryDays = (typeof API_TOKEN_EXPIRY_DAYS)[number];

/** Live (not revoked, not expired) tokens one account may hold. */
export const MAX_LIVE_API_TOKENS = 20;

/** What every token starts with, so a leaked one is recognisable (secret scanners, logs). */
export const API_TOKEN_PREFIX = "ect_";

export const apiTokenNameSchema = z.string().trim().min(1, "Required.").max(64, "At most 64 characters.");

export const createApiTokenInput = z.object({
  name: apiTokenNameSchema,
  expiresInDays: z.literal(API_TOKEN_EXPIRY_DAYS),
  /** The most the token may do; never above the creator's role, and capped by their role as it is at each use. */
  role: roleSchema,
  /** Reads only: every mutation and every write request is refused. */
  readOnly: z.boolean(),
});
export type CreateApiTokenInput = z.infer<typeof createApiTokenInput>;

export const revokeApiTokenInput = z.object({ id: idSchema });
