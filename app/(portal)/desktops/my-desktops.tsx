"use client";
// A student's desktops: the ones handed to them (one click to the console; release when done) and the
// labs they may open ("Open" gets a running desktop at once and goes to its console). Also shown,
// compact, on the dashboard.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Alert } from "@/app/_components/alert";
import { Button, ButtonLink } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import { StateBadge } from "../instances/instance-status";
import { useOpenDesktop } from "./use-open-desktop";

export function MyDesktops({ compact = false }: { compact?: boolean }) {
  const t = useTranslations("desktops");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const [flash, setFlash] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const mine = useQuery(
    trpc.desktops.mine.queryOptions(undefined, {
      // A desktop being made or reset comes up by itself; spare counts change as classmates open.
      refetchInterval: (q) =>
        q.state.data?.desktops.some((d) => d.state !== "RUNNING" || d.task) ? 2000 : 10_000,
    }),
  );
  const release = useMutation(trpc.desktops.release.mutationOptions());
  const { openLab, opening, waitingFor } = useOpenDesktop(mine.data?.desktops);

  if (!mine.data)
    return mine.isError ? (
      <QueryError error={mine.error} onRetry={() => void mine.refetch()} retrying={mine.isFetching} />
    ) : (
      <p className="text-sm text-slate-500">{tc("loading")}</p>
    );
  const { desktops, labs } = mine.data;
  const Wrapper = compact ? "div" : Card;

  return (
    <div className="space-y-6">
      {flash && (
        <Alert tone={flash.tone} data-testid="flash">
          {flash.text}
        </Alert>
      )}
      <Wrapper aria-labelledby={compact ? undefined : "my-desktops-heading"}>
        {!compact && (
          <div id="my-desktops-heading">
            <CardHeader title={t("mine")} />
          </div>
        )}
        {desktops.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">{t("noneMine")}</p>
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {desktops.map((d) => {
              const ready = d.state === "RUNNING" && !d.task;
              return (
                <li
                  key={d.instanceId}
                  className="flex flex-wrap items-center gap-3 py-2"
                  data-testid="my-desktop"
                >
                  <div className="min-w-0 flex-1">
                    <p className="truncate text-sm font-medium">{d.labName}</p>
                    <p className="truncate text-xs text-slate-500 dark:text-slate-400">
                      {t("desktopLine", { name: d.name, profile: d.profileName })}
                    </p>
                  </div>
                  <StateBadge state={d.state} />
                  {waitingFor === d.instanceId && !ready && (
                    <span className="text-xs text-slate-500">{t("starting")}</span>
                  )}
                  {ready ? (
                    <ButtonLink href={`/desktops/${d.instanceId}`} size="sm">
                      {t("openConsole")}
                    </ButtonLink>
                  ) : null}
                  <Button
                    size="sm"
                    variant="secondary"
                    busy={release.isPending && release.variables?.instanceId === d.instanceId}
                    onClick={() =>
                      release.mutate(
                        { instanceId: d.instanceId },
                        {
                          onSuccess: () => {
                            setFlash({ tone: "success", text: t("released", { lab: d.labName }) });
                            void queryClient.invalidateQueries({ queryKey: trpc.desktops.mine.queryKey() });
                          },
                          onError: (err) => setFlash({ tone: "error", text: errorText(err) }),
                        },
                      )
                    }
                  >
                    {t("release")}
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
      </Wrapper>
      <Wrapper aria-labelledby={compact ? undefined : "open-labs-heading"}>
        {compact ? (
          <p className="mb-2 text-sm font-medium">{t("labs")}</p>
        ) : (
          <div id="open-labs-heading">
            <CardHeader title={t("labs")} />
          </div>
        )}
        {labs.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">{t("noLabs")}</p>
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {labs.map((l) => {
              const have = desktops.some((d) => d.labId === l.id);
              return (
                <li key={l.id} className="flex flex-wrap items-center gap-3 py-2" data-testid="open-lab">
                  <div className="min-w-0 flex-1">
                    <p className="truncate text-sm font-medium">{l.name}</p>
                    <p className="truncate text-xs text-slate-500 dark:text-slate-400">
                      {l.description ? `${l.description} · ` : ""}
                      {t("spareCount", { count: l.spare })}
                    </p>
                  </div>
                  <Button
                    size="sm"
                    busy={opening === l.id}
                    disabled={have}
                    aria-label={t("openLabLabel", { lab: l.name })}
                    onClick={() => {
                      setFlash(null);
                      openLab(l.id, (err) => setFlash({ tone: "error", text: errorText(err) }));
                    }}
                  >
                    {t("openLab")}
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
      </Wrapper>
    </div>
  );
}
