// Why the last operation on a volume or snapshot failed: English in error_reason (fallback, logs) and the
// same as a code in error_code/error_params, which the UI renders in the reader's language.
import type { Message } from "@/common/message";
import { renderEnglish } from "./render-english";

export function errorReasonColumns(m: Message | null) {
  return {
    errorReason: m ? renderEnglish(m).slice(0, 2000) : null,
    errorCode: m?.code ?? null,
    errorParams: m?.params ?? null,
  };
}

/** The stored reason as a message for a view; null for rows written before codes. */
export function storedReason(row: {
  errorCode: string | null;
  errorParams: Record<string, string | number> | null;
}): { code: string; params: Record<string, string | number> } | null {
  return row.errorCode ? { code: row.errorCode, params: row.errorParams ?? {} } : null;
}
