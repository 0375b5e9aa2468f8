// The one place where failures become transport answers: a DomainError (or a backing service being
// unreachable) becomes an HTTP status with a JSON body for REST, tus and the console WebSocket, and a
// tRPC code for procedures. Anything else is a bug: callers see a generic sentence, the log the cause.
import { STATUS_CODES } from "node:http";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { msg } from "@/common/message";
import {
  DomainError,
  errorBody,
  isUnavailableError,
  unavailable,
  type DomainErrorKind,
} from "@/server/domain/errors";
import { renderEnglish } from "@/server/domain/render-english";

const HTTP_STATUS: Record<DomainErrorKind, number> = {
  INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

const TRPC_CODE: Record<DomainErrorKind, TRPC_ERROR_CODE_KEY> = {
  INVALID: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

export const INTERNAL_MESSAGE = renderEnglish(msg("internal"));

export interface ErrorBody {
  error: DomainErrorKind | "INTERNAL";
  message: string;
  fieldErrors: Record<string, string> | null;
  /**
   * Whatever else a DomainError carries for clients: its message as a stable code with parameters
   * (`serverMessage`, `fieldMessages`) that the portal renders in the reader's language.
   */
  [extra: string]: unknown;
}

/** The failure as a DomainError, or null when it is a bug (not a refusal, not an outage). */
export function toDomainFailure(err: unknown): DomainError | null {
  if (err instanceof DomainError) return err;
  if (isUnavailableError(err))
    return unavailable(/redis|ioredis/i.test(String((err as Error)?.stack ?? "")) ? "redis" : "database");
  return null;
}

export const httpStatusOf = (kind: DomainErrorKind): number => HTTP_STATUS[kind];
export const httpStatusText = (status: number): string => STATUS_CODES[status] ?? "Error";

/**
 * Status, JSON body and headers for any failure; `internal` tells the caller to log the cause. A refusal
 * that knows when to come back (`retryAfterSeconds`, e.g. a token's rate limit) says so in Retry-After.
 */
export function toHttpError(err: unknown): {
  status: number;
  body: ErrorBody;
  internal: boolean;
  headers: Record<string, string>;
} {
  const failure = toDomainFailure(err);
  if (!failure)
    return {
      status: 500,
      body: {
        error: "INTERNAL",
        message: INTERNAL_MESSAGE,
        fieldErrors: null,
        serverMessage: msg("internal"),
        fieldMessages: null,
      },
      internal: true,
      headers: {},
    };
  // Pass through any field a DomainError gains (code, params) without this module knowing them.
  const {
    kind,
    message,
    fieldErrors,
    name: _name,
    stack: _stack,
    ...extra
  } = failure as DomainError & {
    stack?: string;
  };
  const retryAfter = (failure as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return {
    status: HTTP_STATUS[kind],
    body: { ...extra, ...errorBody(failure) },
    internal: false,
    headers:
      typeof retryAfter === "number" ? { "retry-after": String(Math.max(1, Math.ceil(retryAfter))) } : {},
  };
}

export function errorResponse(err: unknown, headers: Record<string, string> = {}): Response {
  const { status, body, headers: own } = toHttpError(err);
  return Response.json(body, { status, headers: { ...own, ...headers } });
}

/** tRPC's code for a failure, keeping the DomainError as the cause (the error formatter reads it). */
export function toTrpcError(err: unknown): TRPCError {
  if (err instanceof TRPCError) {
    if (err.cause && !(err.cause instanceof TRPCError) && toDomainFailure(err.cause))
      return toTrpcError(err.cause);
    return err;
  }
  const failure = toDomainFailure(err);
  if (failure)
    return new TRPCError({ code: TRPC_CODE[failure.kind], message: failure.message, cause: failure });
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: INTERNAL_MESSAGE, cause: err });
}
