// The one function that turns a failed call into words for a person. Forms, toasts and error panels
// all come through here, so a change in how the server describes errors (codes rendered from the
// message catalogue) needs a change in this file only.
import { useTranslations } from "next-intl";
import { useCallback } from "react";
import { readError, type ErrorInfo } from "./trpc-error";
import { TusError } from "./tus-upload";

export type ErrorsT = ReturnType<typeof useTranslations<"errors">>;

export interface ErrorText {
  /** What to say above the form or in the toast. */
  message: string;
  /** What to say beside each field, keyed by the field's name in the input. */
  fieldErrors: Record<string, string>;
  /** The server refused the input itself: the field errors say everything there is to say. */
  invalidInput: boolean;
  /**
   * Whether the same call may succeed if tried again unchanged. A refusal (no permission, not found,
   * invalid input, a conflict) is final; an outage or a lost connection may pass.
   */
  retryable: boolean;
  httpStatus: number | null;
}

/** The REST upload routes answer with the same JSON body as tRPC's error data. */
function readAnyError(err: unknown): ErrorInfo {
  if (err instanceof TusError) {
    return {
      message: err.body?.message ?? null,
      fieldErrors: err.body?.fieldErrors ?? {},
      code: err.status === 400 ? "BAD_REQUEST" : null,
      httpStatus: err.status,
    };
  }
  return readError(err);
}

export function describeError(err: unknown, t: ErrorsT): ErrorText {
  const info = readAnyError(err);
  const status = info.httpStatus;
  return {
    message: info.message ?? t("network"),
    fieldErrors: info.fieldErrors,
    invalidInput: info.code === "BAD_REQUEST" && Object.keys(info.fieldErrors).length > 0,
    retryable: info.message === null || status === null || status >= 500 || status === 408 || status === 429,
    httpStatus: status,
  };
}

/** describeError bound to the current language. */
export function useDescribeError(): (err: unknown) => ErrorText {
  const t = useTranslations("errors");
  return useCallback((err: unknown) => describeError(err, t), [t]);
}
