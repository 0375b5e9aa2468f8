import { z } from "zod";

export const snapshotNameSchema = z
  .string()
  .trim()
  .min(1, "Required.")
  .max(64, "At most 64 characters.")
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} ._:-]*$/u,
    "Letters, digits, space, dot, dash, colon and underscore; start with a letter or digit.",
  );

export const listSnapshotsInput = z.object({ instanceId: z.uuid() });
export const createSnapshotInput = z.object({ instanceId: z.uuid(), name: snapshotNameSchema });
export const snapshotIdInput = z.object({ id: z.uuid() });
