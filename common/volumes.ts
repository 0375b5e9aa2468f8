// Client-safe: the browser checks a volume's name with the same rule before asking the server.
import { z } from "zod";

export const volumeNameSchema = z
  .string()
  .trim()
  .min(1, "Required.")
  .max(64, "At most 64 characters.")
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u,
    "Letters, digits, space, dot, dash and underscore; start with a letter or digit.",
  );
