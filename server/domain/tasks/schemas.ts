import { z } from "zod";

export const listTasksInput = z.object({ limit: z.number().int().min(1).max(500).optional() }).default({});
