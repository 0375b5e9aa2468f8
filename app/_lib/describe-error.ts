// The one place a dialog or page turns a thrown error into text: the server's refusal in the reader's
// language (see readError), or our own sentence when the server sent nothing readable.
import { useTranslations } from "next-intl";
import { useCallback } from "react";
import { readError } from "./trpc-error";

export interface DescribedError {
  message: string;
  fieldErrors: Record<string, string>;
}

export function useDescribeError(): (err: unknown) => DescribedError {
  const t = useTranslations("errors");
  return useCallback(
    (err: unknown) => {
      const info = readError(err);
      return { message: info.message ?? t("network"), fieldErrors: info.fieldErrors };
    },
    [t],
  );
}
