import { z } from "zod";
import { MAX_VOLUME_GIB } from "@/agents/protocol/storage";

import { volumeNameSchema } from "@/common/volumes";

export { volumeNameSchema };

/** Without instanceId: every volume the caller may see; with it: that instance's host's volumes of its owner. */
export const listVolumesInput = z.object({ instanceId: z.uuid().optional() }).default({});
/** A volume is made on the host of the instance it is created for (it can be attached only there). */
export const createVolumeInput = z.object({
  instanceId: z.uuid(),
  name: volumeNameSchema,
  sizeGiB: z
    .number({ message: "Give a size in GiB." })
    .int("Whole GiB.")
    .min(1, "At least 1 GiB.")
    .max(MAX_VOLUME_GIB, `At most ${MAX_VOLUME_GIB} GiB.`),
});
export const attachVolumeInput = z.object({ id: z.uuid(), instanceId: z.uuid() });
export const volumeIdInput = z.object({ id: z.uuid() });
