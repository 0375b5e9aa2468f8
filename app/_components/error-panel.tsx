"use client";
// Shared body of the error boundaries. "Try again" refreshes the server components as well as
// resetting the boundary: the failure usually happened on the server (e.g. the database was down).
// A refusal that reached the boundary (no permission, gone) is final, so it gets no "Try again".
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useDescribeError } from "@/app/_lib/describe-error";
import { Button, ButtonLink } from "./button";
import { Card } from "./card";

export function ErrorPanel({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("errors");
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const retryable = useDescribeError()(error).retryable;
  return (
    <Card className="mx-auto max-w-xl text-center" role="alert">
      <h1 className="text-xl font-semibold">{t("title")}</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{t("body")}</p>
      {error.digest && (
        <p className="mt-2 font-mono text-xs text-slate-500">{t("reference", { digest: error.digest })}</p>
      )}
      <div className="mt-5 flex flex-wrap justify-center gap-2">
        {retryable && (
          <Button
            busy={pending}
            onClick={() =>
              startTransition(() => {
                router.refresh();
                reset();
              })
            }
          >
            {t("tryAgain")}
          </Button>
        )}
        <ButtonLink href="/" variant="secondary">
          {t("backHome")}
        </ButtonLink>
      </div>
    </Card>
  );
}
