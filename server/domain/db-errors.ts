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
