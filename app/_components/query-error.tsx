"use client";
// How a failed query looks everywhere: a calm message instead of a crash. A database outage
// (HTTP 503) gets its own title, because "try again shortly" is the right advice there. Only a failure
// that may pass offers "Try again": a refusal (not allowed, not found) would only be refused again.
import { useTranslations } from "next-intl";
import { useDescribeError } from "@/app/_lib/describe-error";
import { readError } from "@/app/_lib/trpc-error";
import { Alert } from "./alert";
import { Button } from "./button";

export function QueryError({
  error,
  onRetry,
  retrying,
}: {
  error: unknown;
  onRetry?: () => void;
  retrying?: boolean;
}) {
  const t = useTranslations("errors");
  const info = readError(error);
  const described = useDescribeError()(error);
  const title =
    info.httpStatus === 503
      ? t("unavailableTitle")
      : info.httpStatus === 403
        ? t("forbiddenTitle")
        : info.message === null
          ? t("networkTitle")
          : t("loadFailed");
  return (
    <Alert tone="error" title={title}>
      <p>{described.message}</p>
      {onRetry && described.retryable && (
        <Button variant="secondary" size="sm" className="mt-3" onClick={onRetry} busy={retrying}>
          {t("tryAgain")}
        </Button>
      )}
    </Alert>
  );
}

/** The text to show for a failed mutation: the server's message, or ours when it sent none. */
export function useMutationErrorText() {
  const describe = useDescribeError();
  return (error: unknown): string => describe(error).message;
}
