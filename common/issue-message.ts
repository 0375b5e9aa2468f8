// A zod issue as a message code, so a field the server refused is explained in the reader's language.
// The same schemas run in the browser (app/_lib/validation.ts); this is the server's reading of them.
import type { z } from "zod";
import { messageSchema, msg, type FieldMessages, type Message } from "./message";

type Issue = z.core.$ZodIssue;

/** Custom issues may carry their own code: `addIssue({ code: "custom", message, params: { message } })`. */
const KNOWN_CUSTOM: Record<string, Message> = {
  "The passwords differ.": msg("validation.passwordsDiffer"),
  "“To” is before “from”.": msg("validation.toBeforeFrom"),
  "A VLAN needs the host interface that carries it.": msg("validation.vlanNeedsUplink"),
};

export function issueMessage(issue: Issue): Message {
  switch (issue.code) {
    case "too_small":
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1
          ? msg("validation.required")
          : msg("validation.minLength", { min: Number(issue.minimum) });
      if (issue.origin === "array") return msg("validation.required");
      return msg("validation.minNumber", { min: Number(issue.minimum) });
    case "too_big":
      if (issue.origin === "string") return msg("validation.maxLength", { max: Number(issue.maximum) });
      if (issue.origin === "array") return msg("validation.tooMany", { max: Number(issue.maximum) });
      return msg("validation.maxNumber", { max: Number(issue.maximum) });
    case "invalid_type":
      if (issue.path.join(".") === "flavorId") return msg("validation.chooseFlavor");
      if (issue.path.join(".") === "sizeGiB") return msg("validation.giveSizeGiB");
      return issue.expected === "number" || issue.expected === "int"
        ? msg("validation.number")
        : msg("validation.required");
    case "invalid_format":
      return issue.format === "email" ? msg("validation.email") : msg("validation.format");
    case "invalid_value":
      return msg("validation.choice");
    case "custom": {
      const carried = messageSchema.safeParse((issue.params as { message?: unknown } | undefined)?.message);
      if (carried.success) return carried.data as Message;
      return KNOWN_CUSTOM[issue.message] ?? msg("validation.invalid");
    }
    default:
      return msg("validation.invalid");
  }
}

/** Field path → message; the first issue of each field wins, as in the browser. */
export function issueFieldMessages(issues: readonly Issue[]): FieldMessages {
  const out: FieldMessages = {};
  for (const issue of issues) out[issue.path.join(".") || "_"] ??= issueMessage(issue);
  return out;
}
