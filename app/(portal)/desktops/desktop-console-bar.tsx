"use client";
// Above a desktop's screen: the teacher's messages (dismiss each) and "Release" (done: the desktop is
// reset and goes back to the pool).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { useMutationErrorText } from "@/app/_components/query-error";
import { formatTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_trpc/client";
import { useState } from "react";

export const MESSAGES_REFRESH_MS = 5000;

export function DesktopConsoleBar({ instanceId, labName }: { instanceId: string; labName: string }) {
  const t = useTranslations("desktops");
  const locale = useLocale();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const [error, setError] = useState<string | null>(null);
  const messages = useQuery(
    trpc.desktops.messages.queryOptions({ instanceId }, { refetchInterval: MESSAGES_REFRESH_MS }),
  );
  const dismiss = useMutation(trpc.desktops.dismissMessages.mutationOptions());
  const release = useMutation(trpc.desktops.release.mutationOptions());

  return (
    <div className="mb-4 space-y-3" data-testid="desktop-bar">
      {messages.data?.map((m) => (
        <Alert key={m.id} tone="info" data-testid="teacher-message">
          <div className="flex flex-wrap items-start justify-between gap-3">
            <p className="min-w-0 flex-1 break-words">
              <span className="font-medium">
                {t("messageFrom", { from: m.from ?? t("teacher"), time: formatTime(m.createdAt, locale) })}
              </span>{" "}
              {m.text}
            </p>
            <Button
              size="sm"
              variant="secondary"
              busy={dismiss.isPending && dismiss.variables?.messageIds?.[0] === m.id}
              onClick={() =>
                dismiss.mutate(
                  { instanceId, messageIds: [m.id] },
                  { onSuccess: () => void messages.refetch() },
                )
              }
            >
              {t("dismiss")}
            </Button>
          </div>
        </Alert>
      ))}
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="text-slate-600 dark:text-slate-400">{t("desktopOf", { lab: labName })}</span>
        <Button
          size="sm"
          variant="secondary"
          busy={release.isPending}
          onClick={() =>
            release.mutate(
              { instanceId },
              {
                onSuccess: () => {
                  void queryClient.invalidateQueries({ queryKey: trpc.desktops.mine.queryKey() });
                  router.push("/desktops");
                },
                onError: (err) => setError(errorText(err)),
              },
            )
          }
        >
          {t("release")}
        </Button>
        <span className="text-xs text-slate-500 dark:text-slate-400">{t("releaseHint")}</span>
      </div>
      {error && <Alert tone="error">{error}</Alert>}
    </div>
  );
}
