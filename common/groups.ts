import { z } from "zod";

const id = z.number().int().positive();
export const groupNameSchema = z
  .string()
  .trim()
  .min(2, "At least 2 characters.")
  .max(64, "At most 64 characters.");

export const createGroupInput = z.object({
  name: groupNameSchema,
  description: z.string().trim().max(500, "At most 500 characters.").default(""),
});
export const updateGroupInput = z.object({
  id,
  name: groupNameSchema.optional(),
  description: z.string().trim().max(500, "At most 500 characters.").optional(),
});
export const groupIdInput = z.object({ id });
export const setGroupMembersInput = z.object({ id, userIds: z.array(id).max(5000) });
