// Inputs of the pools procedures (docs/labs.md): a lab's desktops of one profile, kept ready.
import { z } from "zod";

const count = z.number().int().min(0).max(500);

export const createPoolInput = z.object({
  labId: z.number().int().positive(),
  profileId: z.number().int().positive(),
  size: count.min(1),
  spare: count,
  idleSize: count.default(0),
});

export const updatePoolInput = z.object({
  id: z.number().int().positive(),
  size: count.min(1).optional(),
  spare: count.optional(),
  idleSize: count.optional(),
});

export const poolIdInput = z.object({ id: z.number().int().positive() });
export const labPoolsInput = z.object({ labId: z.number().int().positive() });
