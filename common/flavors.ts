import { z } from "zod";

/**
 * The largest machine a flavor may describe. Sanity bounds for a school's hosts, not a host's capacity
 * (placement checks that): 64 vCPUs, 256 GiB RAM, and 16 TiB of disk — the same as the default
 * IMAGE_MAX_VIRTUAL_GIB, so any accepted image fits the largest flavor. The form and the domain both
 * check them (flavors.create/update); the agent's job schema is looser still.
 */
export const FLAVOR_LIMITS = {
  vcpus: { min: 1, max: 64 },
  memoryMiB: { min: 64, max: 256 * 1024 },
  diskGiB: { min: 1, max: 16 * 1024 },
} as const;

export const flavorFields = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Required.")
    .max(64, "At most 64 characters.")
    .regex(/^[\w.-]+$/, "Letters, digits, dot, dash, underscore."),
  vcpus: z
    .number()
    .int()
    .min(FLAVOR_LIMITS.vcpus.min, "At least 1.")
    .max(FLAVOR_LIMITS.vcpus.max, `At most ${FLAVOR_LIMITS.vcpus.max}.`),
  memoryMiB: z
    .number()
    .int()
    .min(FLAVOR_LIMITS.memoryMiB.min, "At least 64 MiB.")
    .max(FLAVOR_LIMITS.memoryMiB.max, `At most ${FLAVOR_LIMITS.memoryMiB.max} MiB (256 GiB).`),
  diskGiB: z
    .number()
    .int()
    .min(FLAVOR_LIMITS.diskGiB.min, "At least 1 GiB.")
    .max(FLAVOR_LIMITS.diskGiB.max, `At most ${FLAVOR_LIMITS.diskGiB.max} GiB (16 TiB).`),
});
/** groupId: a flavor of that group's own (its admins manage it); left out: a public flavor (superAdm's). */
export const createFlavorInput = flavorFields.extend({ groupId: z.number().int().positive().optional() });
export const updateFlavorInput = flavorFields.partial().extend({ id: z.number().int().positive() });
export const flavorIdInput = z.object({ id: z.number().int().positive() });
