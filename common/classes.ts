import { z } from "zod";
import { instanceNameSchema } from "./instances";

// Inputs of the class procedures (a teacher running a group they administer). Client-safe: the class
// page validates its forms with the same schemas.

const id = z.number().int().positive();
const userIds = z.array(id).min(1, "Choose at least one person.").max(500, "At most 500 at once.");

export const classIdInput = z.object({ id });

/** Existing accounts by username (a teacher types or pastes them); unknown names are refused by name. */
export const addClassMembersInput = z.object({
  id,
  usernames: z
    .array(z.string().trim().min(1).max(64))
    .min(1, "Name at least one account.")
    .max(500, "At most 500 at once."),
});

export const removeClassMembersInput = z.object({ id, userIds });

/**
 * The group's catalogue, each list replacing what was there; a list left out stays as it is. Images are
 * named by any version's id (the family is stored). Hosts only superAdm may restrict.
 */
export const setCatalogueInput = z.object({
  id,
  imageIds: z.array(z.uuid()).max(200).optional(),
  flavorIds: z.array(id).max(200).optional(),
  networkIds: z.array(z.uuid()).max(50).optional(),
  hostIds: z.array(z.uuid()).max(200).optional(),
});

/** Names are "<prefix>-<username>" (a dot or underscore in a username becomes a dash). */
export const deployPrefixSchema = z
  .string()
  .trim()
  .min(1, "Required.")
  .max(40, "At most 40 characters.")
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9.-]*$/, "Letters, digits, dot and dash; start with a letter or digit.");

export const deployClassInput = z.object({
  id,
  imageId: z.uuid("Choose an image."),
  flavorId: z.number({ message: "Choose a flavor." }).int().positive(),
  networkId: z.uuid().optional(),
  namePrefix: deployPrefixSchema,
  /** Which members get one; left out: every student (role user) of the class. */
  userIds: userIds.optional(),
});

export const undeployClassInput = z.object({ id, batchId: z.uuid() });

export const assignInstanceInput = z.object({ id: z.uuid(), ownerId: id });

/** What the caller may launch in a group (their first group when left out). */
export const launchOptionsInput = z.object({ groupId: id.optional() }).default({});

/** The machine name a deployment gives a member (the same rule as instance names). */
export function deployedName(prefix: string, username: string): string {
  const name = `${prefix}-${username.replace(/[^a-zA-Z0-9.-]/g, "-")}`.slice(0, 64);
  return instanceNameSchema.safeParse(name).success ? name : `${prefix}-vm`;
}
