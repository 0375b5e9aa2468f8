// Runs a shared zod schema (common/) in the browser and turns its issues into
// per-field text in the current language. The server runs the same schema again; this only saves
// a round trip and gives instant feedback.
import type { useTranslations } from "next-intl";
import type { z } from "zod";

export type ValidationT = ReturnType<typeof useTranslations<"validation">>;
export type FieldErrors = Record<string, string>;

type Issue = z.core.$ZodIssue;

/**
 * The schemas' English texts are mirrored in messages/*.json ("validation"), keyed by the kind of
 * problem, so a Chinese user does not get English field errors. Unknown issues keep the schema text.
 */
function localizeIssue(issue: Issue, t: ValidationT): string {
  switch (issue.code) {
    case "too_small":
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1 ? t("required") : t("minLength", { min: Number(issue.minimum) });
      if (issue.origin === "array") return t("required");
      if (issue.origin === "number") return t("minNumber", { min: Number(issue.minimum) });
      return issue.message;
    case "too_big":
      if (issue.origin === "string") return t("maxLength", { max: Number(issue.maximum) });
      if (issue.origin === "array") return t("tooMany", { max: Number(issue.maximum) });
      if (issue.origin === "number") return t("maxNumber", { max: Number(issue.maximum) });
      return issue.message;
    case "invalid_type":
      // Selects send ids: nothing chosen reads better as "Choose a flavor." than as a type error.
      if (issue.path.join(".") === "flavorId") return t("chooseFlavor");
      if (issue.expected === "number" || issue.expected === "int") {
        // An empty number field arrives as undefined, a non-number as NaN.
        return "received" in issue && issue.received === "NaN"
          ? t("number")
          : issue.expected === "int"
            ? t("number")
            : t("required");
      }
      return issue.message;
    case "invalid_format":
      if (issue.format === "email") return t("email");
      if (issue.format === "uuid" && issue.path.join(".") === "imageId") return t("chooseImage");
      if (issue.format === "regex" && issue.path.join(".") === "username") return t("usernameFormat");
      return issue.message;
    case "custom":
      if (issue.path.join(".") === "confirmPassword") return t("passwordsDiffer");
      if (issue.path.join(".") === "to") return t("toBeforeFrom");
      return issue.message;
    default:
      return issue.message;
  }
}

export function validate<S extends z.ZodType>(
  schema: S,
  values: unknown,
  t: ValidationT,
  /** Per-field wording for "required" where the generic word reads badly (the login form). */
  requiredText: Record<string, string> = {},
  /**
   * Per-field wording for a failed pattern: the same field name ("name") has different rules in
   * different schemas (instances vs. flavors), so the form says which text applies.
   */
  formatText: Record<string, string> = {},
): { data: z.output<S>; errors: null } | { data: null; errors: FieldErrors } {
  const result = schema.safeParse(values);
  if (result.success) return { data: result.data, errors: null };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join(".") || "_";
    if (errors[key]) continue;
    const isRequired = issue.code === "too_small" && issue.origin !== "number" && Number(issue.minimum) <= 1;
    const isFormat = issue.code === "invalid_format" && issue.format === "regex";
    errors[key] =
      (isRequired && requiredText[key]) || (isFormat && formatText[key]) || localizeIssue(issue, t);
  }
  return { data: null, errors };
}
