import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { DomainError, isUnavailableError, unavailable, type DomainErrorKind } from "@/server/domain/errors";
import { msg } from "@/common/message";
import { renderEnglish } from "@/server/domain/render-english";

const CODES: Record<DomainErrorKind, TRPC_ERROR_CODE_KEY> = {
  INVALID: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

/** The one place where domain failures become transport errors. */
export function toTrpcError(err: unknown): TRPCError {
  if (err instanceof TRPCError) {
    if (
      err.cause &&
      !(err.cause instanceof TRPCError) &&
      (err.cause instanceof DomainError || isUnavailableError(err.cause))
    ) {
      return toTrpcError(err.cause);
    }
    return err;
  }
  if (err instanceof DomainError)
    return new TRPCError({ code: CODES[err.kind], message: err.message, cause: err });
  if (isUnavailableError(err)) {
    const u = unavailable(/redis|ioredis/i.test(String((err as Error)?.stack ?? "")) ? "redis" : "database");
    return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: u.message, cause: u });
  }
  return new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: renderEnglish(msg("internal")),
    cause: err,
  });
}
