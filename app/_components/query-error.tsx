"use client";
// How a failed query looks everywhere: a calm message instead of a crash. A database outage
// (HTTP 503) gets its own title, because "try again shortly" is the right advice there.
import { useTranslations } from "next-intl";
import { useMessage } from "@/app/_lib/render-message";
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
  const render = useMessage();
  const info = readError(error);
  // Rendered here with the hook (not only through readError's bridge): this also runs on the server.
  const text = info.serverMessage ? render(info.serverMessage, info.message) : info.message;
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
      <p>{text ?? t("network")}</p>
      {onRetry && (
        <Button variant="secondary" size="sm" className="mt-3" onClick={onRetry} busy={retrying}>
          {t("tryAgain")}
        </Button>
      )}
    </Alert>
  );
}

/** The text to show for a failed mutation: the server's message, or ours when it sent none. */
export function useMutationErrorText() {
  const t = useTranslations("errors");
  return (error: unknown): string => readError(error).message ?? t("network");
}
