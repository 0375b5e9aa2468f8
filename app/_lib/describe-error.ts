// The one function that turns a failed call into words for a person. Forms, toasts and error panels
// all come through here. The server sends each refusal as a code with parameters (see readError); it is
// rendered in the reader's language, and the English text is only the fallback for a code this build
// does not know.
import { useTranslations } from "next-intl";
import { useCallback } from "react";
import { useMessage, type RenderMessage } from "./render-message";
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
  /** The stable code of the refusal (e.g. "instances.notRunning"), for logic that must not read text. */
  messageCode: string | null;
}

/** The REST upload routes answer with the same JSON body as tRPC's error data. */
function readAnyError(err: unknown): ErrorInfo {
  if (err instanceof TusError) {
    return {
      message: err.body?.message ?? null,
      fieldErrors: err.body?.fieldErrors ?? {},
      code: err.status === 400 ? "BAD_REQUEST" : null,
      httpStatus: err.status,
      messageCode: err.serverMessage?.code ?? null,
      serverMessage: err.serverMessage,
    };
  }
  return readError(err);
}

/**
 * `render` renders the server's code with the caller's own translator (needed where readError's
 * browser-only bridge is not set, e.g. a server render); without it the bridge's rendering stands.
 */
export function describeError(err: unknown, t: ErrorsT, render?: RenderMessage): ErrorText {
  const info = readAnyError(err);
  const status = info.httpStatus;
  const message = info.serverMessage && render ? render(info.serverMessage, info.message) : info.message;
  return {
    message: message ?? t("network"),
    fieldErrors: info.fieldErrors,
    invalidInput: info.code === "BAD_REQUEST" && Object.keys(info.fieldErrors).length > 0,
    retryable: info.message === null || status === null || status >= 500 || status === 408 || status === 429,
    httpStatus: status,
    messageCode: info.messageCode,
  };
}

/** describeError bound to the current language. */
export function useDescribeError(): (err: unknown) => ErrorText {
  const t = useTranslations("errors");
  const render = useMessage();
  return useCallback((err: unknown) => describeError(err, t, render), [t, render]);
}
