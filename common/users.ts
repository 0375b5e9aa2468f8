// Pure zod schemas shared by the forms (field errors in the browser) and the server (the real check).
import { z } from "zod";
import { pageInput, searchText } from "./paging";
import { ACCOUNT_ROLES } from "./roles";

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, "At least 3 characters.")
  .max(64, "At most 64 characters.")
  .regex(
    /^[a-z0-9][a-z0-9._-]*$/,
    "Letters, digits, dot, dash and underscore; start with a letter or digit.",
  );

export const passwordSchema = z
  .string()
  .min(10, "At least 10 characters.")
  .max(256, "At most 256 characters.");

export const displayNameSchema = z.string().trim().min(1, "Required.").max(128, "At most 128 characters.");
export const emailSchema = z.union([z.literal(""), z.email("Not a valid e-mail address.")]).optional();
export const roleSchema = z.enum(ACCOUNT_ROLES);
export const idSchema = z.number().int().positive();

export const createUserInput = z.object({
  username: usernameSchema,
  displayName: displayNameSchema,
  email: emailSchema,
  password: passwordSchema,
  role: roleSchema,
  groupIds: z.array(idSchema).max(100).default([]),
});
export type CreateUserInput = z.input<typeof createUserInput>;

export const updateUserInput = z.object({
  id: idSchema,
  displayName: displayNameSchema.optional(),
  email: emailSchema,
  role: roleSchema.optional(),
  groupIds: z.array(idSchema).max(100).optional(),
});

export const setUserDisabledInput = z.object({ id: idSchema, disabled: z.boolean() });
export const resetUserPasswordInput = z.object({ id: idSchema, password: passwordSchema });
/** Sorts an index serves (migration 0019); the id breaks ties. */
export const USER_SORTS = ["username", "createdAt"] as const;
export const listUsersInput = pageInput(USER_SORTS, { sort: "username", order: "asc" })
  .extend({
    /** Part of the account name or the display name. */
    search: searchText,
    groupId: idSchema.optional(),
    role: roleSchema.optional(),
  })
  .prefault({});
export type ListUsersInput = z.output<typeof listUsersInput>;

export const changePasswordInput = z
  .object({
    currentPassword: z.string().min(1, "Required.").max(256),
    newPassword: passwordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "The passwords differ.",
  });

export const LOCALES = ["en", "zh-CN"] as const;
export type Locale = (typeof LOCALES)[number];
export const THEMES = ["system", "light", "dark"] as const;
export const updatePreferencesInput = z.object({
  locale: z.enum(LOCALES).optional(),
  theme: z.enum(THEMES).optional(),
});

export const loginInput = z.object({
  username: z.string().trim().toLowerCase().min(1, "Enter your username.").max(64),
  password: z.string().min(1, "Enter your password.").max(256),
});
