"use client";
// The instance's history as a timeline, newest first: requested actions, state changes reported by
// the host's agent, progress and errors. Refreshes at the same pace as the instance itself.
import { useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { Badge, type BadgeTone } from "@/app/_components/badge";
import { Card } from "@/app/_components/card";
import { QueryError } from "@/app/_components/query-error";
import { formatDateTime } from "@/app/_lib/format";
import { useMessage } from "@/app/_lib/render-message";
import { useTRPC } from "@/app/_trpc/client";
import { refreshInterval } from "../use-instances";

type Kind = "action" | "state" | "progress" | "error" | "info";
const KIND_TONE: Record<Kind, BadgeTone> = {
  action: "info",
  state: "success",
  progress: "neutral",
  error: "danger",
  info: "neutral",
};

/** Started by the detail page together with the instance itself, so both load in parallel. */
export function useInstanceEvents(id: string, busy: boolean, enabled: boolean) {
  const trpc = useTRPC();
  return useQuery(
    trpc.instances.events.queryOptions({ id }, { refetchInterval: refreshInterval(busy), enabled }),
  );
}

export function InstanceEvents({
  events,
  className = "",
}: {
  events: ReturnType<typeof useInstanceEvents>;
  className?: string;
}) {
  const t = useTranslations("instance");
  const ti = useTranslations("instances");
  const tc = useTranslations("common");
  const render = useMessage();
  const locale = useLocale();

  return (
    <Card className={className} aria-labelledby="instance-events-heading">
      <div className="mb-3">
        <h2
          id="instance-events-heading"
          className="text-base font-semibold text-slate-900 dark:text-slate-100"
        >
          {t("events")}
        </h2>
        <p className="text-xs text-slate-500 dark:text-slate-400">{t("eventsCaption")}</p>
      </div>
      {events.isError && (
        <QueryError error={events.error} onRetry={() => void events.refetch()} retrying={events.isFetching} />
      )}
      {events.isPending ? (
        <p className="text-sm text-slate-500">{tc("loading")}</p>
      ) : events.data?.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">{t("eventsEmpty")}</p>
      ) : (
        <ol
          data-testid="instance-events"
          className="relative space-y-4 border-l border-slate-200 pl-5 dark:border-slate-700"
        >
          {events.data?.map((e) => (
            <li key={e.id} className="relative">
              <span
                aria-hidden
                className={`absolute -left-[1.65rem] top-1.5 size-2.5 rounded-full ring-4 ring-white dark:ring-slate-900 ${
                  e.kind === "error" ? "bg-red-500" : e.kind === "state" ? "bg-emerald-500" : "bg-indigo-400"
                }`}
              />
              <div className="flex flex-wrap items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
                <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at, locale)}</time>
                <Badge tone={KIND_TONE[e.kind]}>{t(`kinds.${e.kind}`)}</Badge>
                {(e.fromState || e.toState) && (
                  <span className="font-medium text-slate-600 dark:text-slate-300">
                    {e.fromState && e.toState
                      ? t("transition", { from: ti(`states.${e.fromState}`), to: ti(`states.${e.toState}`) })
                      : ti(`states.${(e.toState ?? e.fromState)!}`)}
                  </span>
                )}
              </div>
              <p className="mt-1 text-sm break-words text-slate-800 dark:text-slate-200">
                {render(e.code ? { code: e.code, params: e.params } : null, e.message)}
              </p>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
