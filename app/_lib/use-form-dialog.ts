"use client";
// The scaffolding every form dialog shares: values that reset each time the dialog opens, the shared
// zod schema checked in the browser with errors beside the fields, one submit that turns a refusal
// from the server into field errors (or a message above the form when no field is to blame).
import { useTranslations } from "next-intl";
import { useEffect, useState, type FormEvent } from "react";
import type { z } from "zod";
import { useDescribeError, type ErrorText } from "./describe-error";
import { validate, type FieldErrors } from "./validation";

export interface CheckText {
  /** Per-field wording for "required" where the generic word reads badly. */
  required?: Record<string, string>;
  /** Per-field wording for a failed pattern: say which characters are allowed for this field. */
  format?: Record<string, string>;
  /** Rewords or adds errors the schema cannot know (e.g. "choose a host"); any error stops the submit. */
  adjust?: (errors: FieldErrors) => FieldErrors;
}

interface FormDialogOptions<V> {
  /** The dialog is shown: each time it opens, values and errors start afresh. */
  open: boolean;
  initial: () => V;
  /** What else the initial values depend on (e.g. the row being edited). */
  resetOn?: readonly unknown[];
  /** The input names the form shows an error beside, when they differ from the keys of the values. */
  fields?: readonly string[];
  /** Reshapes the server's field errors to the form's fields (e.g. one line for a whole list). */
  serverFields?: (errors: FieldErrors) => FieldErrors;
}

export function useFormDialog<V extends object>({
  open,
  initial,
  resetOn = [],
  fields,
  serverFields = (errors) => errors,
}: FormDialogOptions<V>) {
  const tv = useTranslations("validation");
  const describe = useDescribeError();
  const [values, setValues] = useState<V>(initial);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    if (!open) return;
    setValues(initial());
    setFieldErrors({});
    setError(null);
    // `initial` is a new function on every render; what it reads is listed in resetOn.
  }, [open, ...resetOn]);

  const set = <K extends keyof V>(key: K, value: V[K]) => setValues((prev) => ({ ...prev, [key]: value }));
  /** A field's value, change and error as a field component takes them: `<NameInput {...bind("name")} />`. */
  const bind = <K extends keyof V & string>(key: K) => ({
    value: values[key],
    onChange: (value: V[K]) => set(key, value),
    error: fieldErrors[key],
  });

  /** Runs the shared schema; on failure shows the field errors and returns null. */
  function check<S extends z.ZodType>(schema: S, input: unknown, text: CheckText = {}): z.output<S> | null {
    const checked = validate(schema, input, tv, text.required, text.format);
    const errors = text.adjust ? text.adjust(checked.errors ?? {}) : (checked.errors ?? {});
    setFieldErrors(errors);
    return checked.data !== null && Object.keys(errors).length === 0 ? checked.data : null;
  }

  /** Shows a failed call: field errors beside the fields the form has, the rest above the form. */
  function showError(err: unknown) {
    const described = describe(err);
    const placed = placeErrors(
      { ...described, fieldErrors: serverFields(described.fieldErrors) },
      fields ?? Object.keys(values),
    );
    setFieldErrors(placed.fieldErrors);
    setError(placed.message);
  }

  /** The form's onSubmit (or a button's onClick): runs `submit`, showing whatever it throws. */
  function handleSubmit(submit: () => Promise<void>) {
    return async (e?: FormEvent<HTMLFormElement>) => {
      e?.preventDefault();
      if (submitting) return;
      setError(null);
      setSubmitting(true);
      try {
        await submit();
      } catch (err) {
        showError(err);
      } finally {
        setSubmitting(false);
      }
    };
  }

  return {
    values,
    set,
    setValues,
    bind,
    fieldErrors,
    setFieldErrors,
    error,
    setError,
    submitting,
    check,
    showError,
    handleSubmit,
    tv,
  };
}

/**
 * Where each part of a failed call is said: a field's error beside that field when the form shows it,
 * everything else above the form. Said once: "Some fields are not valid." says nothing the fields do
 * not say better (and sits out of view), and a sentence already under its field is not repeated above.
 */
export function placeErrors(
  described: Pick<ErrorText, "message" | "fieldErrors" | "invalidInput">,
  fields: readonly string[],
): { fieldErrors: FieldErrors; message: string | null } {
  const shown: FieldErrors = {};
  const elsewhere: string[] = [];
  const known = new Set(fields);
  for (const [key, text] of Object.entries(described.fieldErrors)) {
    if (known.has(key)) shown[key] = text;
    else elsewhere.push(text);
  }
  const fieldsSayIt =
    elsewhere.length === 0 && (described.invalidInput || Object.values(shown).includes(described.message));
  return { fieldErrors: shown, message: fieldsSayIt ? null : [described.message, ...elsewhere].join(" ") };
}
