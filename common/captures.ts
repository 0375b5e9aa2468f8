import { z } from "zod";

export const captureInstanceInput = z.object({
  instanceId: z.uuid(),
  name: z.string().trim().min(1, "Required.").max(128, "At most 128 characters."),
});
