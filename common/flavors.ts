import { z } from "zod";

export const flavorFields = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Required.")
    .max(64, "At most 64 characters.")
    .regex(/^[\w.-]+$/, "Letters, digits, dot, dash, underscore."),
  vcpus: z.number().int().min(1, "At least 1.").max(64, "At most 64."),
  memoryMiB: z
    .number()
    .int()
    .min(64, "At least 64 MiB.")
    .max(1024 * 1024),
  diskGiB: z.number().int().min(1, "At least 1 GiB.").max(16384),
});
export const createFlavorInput = flavorFields;
export const updateFlavorInput = flavorFields.partial().extend({ id: z.number().int().positive() });
export const flavorIdInput = z.object({ id: z.number().int().positive() });
