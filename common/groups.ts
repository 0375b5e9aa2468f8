import { z } from "zod";

/** A class (a teacher and students) or a project (members working together): the same rules. */
export const GROUP_KINDS = ["class", "project"] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

/**
 * What a group's catalogue lists. Images and flavors: what members may launch (superAdm's public ones the
 * group was given, plus the group's own). Networks and hosts: a restriction only when at least one is listed.
 */
export const CATALOGUE_KINDS = ["image", "flavor", "network", "host"] as const;
export type CatalogueKind = (typeof CATALOGUE_KINDS)[number];

const id = z.number().int().positive();
export const groupNameSchema = z
  .string()
  .trim()
  .min(2, "At least 2 characters.")
  .max(64, "At most 64 characters.");

export const createGroupInput = z.object({
  name: groupNameSchema,
  description: z.string().trim().max(500, "At most 500 characters.").default(""),
  kind: z.enum(GROUP_KINDS).default("class"),
});
export const updateGroupInput = z.object({
  id,
  name: groupNameSchema.optional(),
  description: z.string().trim().max(500, "At most 500 characters.").optional(),
  kind: z.enum(GROUP_KINDS).optional(),
});
export const groupIdInput = z.object({ id });
export const setGroupMembersInput = z.object({ id, userIds: z.array(id).max(5000) });
/** The admins of a group (powerAdm accounts), replacing the list: superAdm only. */
export const setGroupAdminsInput = z.object({ id, userIds: z.array(id).max(100) });
