import { DomainError, isUnavailableError } from "./errors";

/** MySQL error code of a failed query, looking through Drizzle's wrapper. */
export function mysqlErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ER_")) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isDuplicateKey = (err: unknown) => mysqlErrorCode(err) === "ER_DUP_ENTRY";
export const isForeignKeyViolation = (err: unknown) =>
  mysqlErrorCode(err) === "ER_NO_REFERENCED_ROW_2" || mysqlErrorCode(err) === "ER_ROW_IS_REFERENCED_2";

/** Lock conflicts that succeed when the same work is tried again a moment later. */
const RETRYABLE_LOCK_CODES = new Set(["ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT", "ER_CHECKREAD"]);

/**
 * True when trying the same work again later can succeed: the database (or Redis) could not be reached,
 * the connection or pool broke under it, or a lock conflict (deadlock, lock wait timeout). False for
 * everything else — validation, a domain refusal, a constraint, a bug — which retrying only repeats.
 */
export function isTransientError(err: unknown): boolean {
  if (err instanceof DomainError) return err.kind === "UNAVAILABLE";
  if (isUnavailableError(err)) return true;
  const code = mysqlErrorCode(err);
  if (code && RETRYABLE_LOCK_CODES.has(code)) return true;
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const message = (e as { message?: unknown }).message;
    // mysql2's words for a connection that died between queries, and for a pool that cannot connect.
    if (
      typeof message === "string" &&
      /closed state|connection lost|ECONNREFUSED|Too many connections/i.test(message)
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
