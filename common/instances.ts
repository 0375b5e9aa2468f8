import { z } from "zod";
import { instanceStateSchema } from "./instance-states";
import { pageInput, searchText } from "./paging";

export const instanceNameSchema = z
  .string()
  .trim()
  .min(1, "Required.")
  .max(64, "At most 64 characters.")
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9.-]*$/, "Letters, digits, dot and dash; start with a letter or digit.");

export const createInstanceInput = z.object({
  name: instanceNameSchema,
  imageId: z.uuid("Choose an image."),
  flavorId: z.number({ message: "Choose a flavor." }).int().positive(),
  /** Manage it within one of your groups (powerAdm of that group may act on it). */
  groupId: z.number().int().positive().optional(),
  /** Network interfaces in guest order (eth0 first); each gets its address from IPAM. */
  nics: z
    .array(
      z.object({
        networkId: z.uuid("Choose a network."),
        /** Take the address from this carved subnet (it must not have expired). */
        subnetId: z.number().int().positive().optional(),
      }),
    )
    .max(4, "At most 4 network interfaces.")
    .default([]),
});
export const instanceIdInput = z.object({ id: z.uuid() });
/** Another flavor for a stopped instance (its disk may grow, never shrink). */
export const resizeInstanceInput = z.object({
  id: z.uuid(),
  flavorId: z.number({ message: "Choose a flavor." }).int().positive(),
});
export type ResizeInstanceInput = z.infer<typeof resizeInstanceInput>;
/** Sorts an index serves (migration 0019); the id breaks ties. */
export const INSTANCE_SORTS = ["createdAt", "name"] as const;
export const listInstancesInput = pageInput(INSTANCE_SORTS, { sort: "createdAt", order: "desc" })
  .extend({
    includeDeleted: z.boolean().default(false),
    /** Part of the name. */
    search: searchText,
    state: instanceStateSchema.optional(),
    ownerId: z.number().int().positive().optional(),
    groupId: z.number().int().positive().optional(),
  })
  .prefault({});
export type ListInstancesInput = z.output<typeof listInstancesInput>;
