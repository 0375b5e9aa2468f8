/** What went wrong, in terms a transport can map (tRPC code, HTTP status) without knowing the domain. */
export type DomainErrorKind =
  "INVALID" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "RATE_LIMITED" | "UNAVAILABLE";

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  /** Field name → message, for forms. */
  readonly fieldErrors?: Record<string, string>;

  constructor(kind: DomainErrorKind, message: string, fieldErrors?: Record<string, string>) {
    super(message);
    this.name = "DomainError";
    this.kind = kind;
    this.fieldErrors = fieldErrors;
  }
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} was not found.`);
export const forbidden = (message = "You are not allowed to do this.") =>
  new DomainError("FORBIDDEN", message);

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
    service === "database"
      ? "The database is unavailable. eduCloud will recover by itself when it returns; try again shortly."
      : "Redis is unavailable. eduCloud will recover by itself when it returns; try again shortly.",
  );
}
