import {
  msg,
  type FieldMessages,
  type Message,
  type MessageCode,
  type MessageDetail,
} from "@/common/message";
import type { MessageParams } from "@/common/message-codes";
import { renderEnglish } from "./render-english";

/** What went wrong, in terms a transport can map (tRPC code, HTTP status) without knowing the domain. */
export type DomainErrorKind =
  "INVALID" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "RATE_LIMITED" | "UNAVAILABLE";

/**
 * A refusal as a stable code plus parameters (rendered in the reader's language by the UI) and, for logs
 * and clients without a catalogue, the English text. It takes a Message, never a string, so a throw site
 * cannot skip the code.
 */
export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code: MessageCode;
  readonly params: Message["params"];
  /** Field name → message, for forms. */
  readonly fieldMessages?: FieldMessages;

  /**
   * Parts the message lists, one per subject (e.g. why each host cannot take an instance): rendered one by
   * one and put in place of the message's {details}.
   */
  readonly details?: MessageDetail[];

  constructor(
    kind: DomainErrorKind,
    message: Message,
    fieldMessages?: FieldMessages,
    details?: MessageDetail[],
  ) {
    super(renderEnglish(message));
    this.name = "DomainError";
    this.kind = kind;
    this.code = message.code;
    this.params = message.params;
    this.fieldMessages = fieldMessages;
    this.details = details;
  }

  /** Field name → English text, for REST clients and the CLI. */
  get fieldErrors(): Record<string, string> | undefined {
    if (!this.fieldMessages) return undefined;
    return Object.fromEntries(Object.entries(this.fieldMessages).map(([k, m]) => [k, renderEnglish(m)]));
  }
}

/** The JSON body of a refused REST or upload request: English for scripts, codes for the portal. */
export function errorBody(err: DomainError) {
  return {
    error: err.kind,
    message: err.message,
    fieldErrors: err.fieldErrors ?? null,
    serverMessage: { code: err.code, params: err.params, details: err.details },
    fieldMessages: err.fieldMessages ?? null,
  };
}

/** The refusal as a message, to record where the error itself cannot go (a task's error, a timeline). */
export const messageOf = (err: DomainError): Message => ({ code: err.code, params: err.params });

type NotFoundThing = {
  [C in MessageCode]: C extends `notFound.${infer T}`
    ? MessageParams[C] extends Record<string, never>
      ? T
      : never
    : never;
}[MessageCode];

export const notFound = (what: NotFoundThing) => new DomainError("NOT_FOUND", msg(`notFound.${what}`));
export const forbidden = (reason: Message = msg("auth.forbidden")) => new DomainError("FORBIDDEN", reason);

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "PROTOCOL_SEQUENCE_TIMEOUT",
]);

/** True when an error means a backing service (MariaDB, Redis) is unreachable rather than a bug. */
export function isUnavailableError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    const msg = (e as { message?: unknown }).message;
    if (
      typeof msg === "string" &&
      /Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Pool is closed/i.test(msg)
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function unavailable(service: "database" | "redis"): DomainError {
  return new DomainError(
    "UNAVAILABLE",
    msg(service === "database" ? "unavailable.database" : "unavailable.redis"),
  );
}
