"use client";
// Live status of the backing services. Polls every 5 s; when a poll fails (MariaDB down gives HTTP 503)
// the error is shown above the last known results instead of replacing the page.
import { useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import type { HealthCheck, HealthReport } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Badge, type BadgeTone } from "@/app/_components/badge";
import { Card, CardHeader } from "@/app/_components/card";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError } from "@/app/_components/query-error";
import { formatTime } from "@/app/_lib/format";
import { useMessage } from "@/app/_lib/render-message";
import { useTRPC } from "@/app/_trpc/client";

const REFRESH_MS = 5_000;
const STATUS_TONE: Record<HealthReport["status"], BadgeTone> = {
  ok: "success",
  degraded: "warning",
  down: "danger",
};

export function HealthPanel() {
  const t = useTranslations("health");
  const tc = useTranslations("common");
  const locale = useLocale();
  const trpc = useTRPC();
  // The interval keeps running after a failed poll, so the page recovers by itself when the database returns.
  const health = useQuery(trpc.health.status.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const report = health.data;
  // While the detailed check fails (it needs the database to know who is asking), the public liveness
  // endpoint still says which service is down: show that rather than only the last known results.
  const liveness = useQuery({
    queryKey: ["public-health"],
    enabled: health.isError,
    refetchInterval: REFRESH_MS,
    queryFn: async () =>
      (await (await fetch("/api/v1/health", { cache: "no-store" })).json()) as PublicHealth,
  });

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="space-y-6">
        {health.isError && (
          <div className="space-y-2">
            <QueryError error={health.error} />
            {liveness.data && <LiveServiceStates liveness={liveness.data} />}
            {report && <p className="text-sm text-slate-500 dark:text-slate-400">{t("staleNote")}</p>}
          </div>
        )}

        {health.isPending && <p className="text-sm text-slate-500">{tc("loading")}</p>}

        {report && (
          // Stale results stay readable but faded, so nobody mistakes them for the current state.
          <div className={`space-y-6 transition-opacity ${health.isError ? "opacity-60" : ""}`}>
            <Card aria-labelledby="health-overall">
              <div className="flex flex-wrap items-center justify-between gap-3">
                <div>
                  <h2 id="health-overall" className="text-sm font-medium text-slate-500 dark:text-slate-400">
                    {t("overall")}
                  </h2>
                  <p
                    className="mt-1 flex items-center gap-2 text-lg font-semibold"
                    data-testid="health-overall"
                  >
                    <Badge tone={STATUS_TONE[report.status]}>{t(`short_${report.status}`)}</Badge>
                    {t(`status_${report.status}`)}
                  </p>
                </div>
                <p className="flex items-center gap-2 text-sm text-slate-500 dark:text-slate-400">
                  {/* A dot, not a text swap, while polling: the line would otherwise flicker every 5 s. */}
                  <span
                    aria-hidden
                    className={`size-2 rounded-full ${health.isFetching ? "animate-pulse bg-indigo-500" : "bg-slate-300 dark:bg-slate-600"}`}
                  />
                  {t("checkedAt", { time: formatTime(report.checkedAt, locale) })}
                </p>
              </div>
            </Card>
            <div className="grid gap-6 md:grid-cols-3">
              {report.checks.map((c) => (
                <CheckCard key={c.name} check={c} />
              ))}
            </div>
          </div>
        )}
      </div>
    </>
  );
}

interface PublicHealth {
  status: HealthReport["status"];
  services: Partial<Record<HealthCheck["name"], "up" | "down">>;
}

function LiveServiceStates({ liveness }: { liveness: PublicHealth }) {
  const t = useTranslations("health");
  return (
    <Card aria-label={t("overall")} data-testid="health-live">
      <p className="flex items-center gap-2 text-lg font-semibold">
        <Badge tone={STATUS_TONE[liveness.status]}>{t(`short_${liveness.status}`)}</Badge>
        {t(`status_${liveness.status}`)}
      </p>
      <ul className="mt-3 flex flex-wrap gap-4 text-sm">
        {Object.entries(liveness.services).map(([name, state]) => (
          <li key={name} className="flex items-center gap-2">
            {t(`check_${name as HealthCheck["name"]}`)}
            <Badge tone={state === "up" ? "success" : "danger"}>{state === "up" ? t("up") : t("down")}</Badge>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function CheckCard({ check }: { check: HealthCheck }) {
  const t = useTranslations("health");
  const tc = useTranslations("common");
  const render = useMessage();
  const factLabel = (key: string) => {
    const k = `fact_${key}` as Parameters<typeof t>[0];
    return t.has(k) ? t(k) : key;
  };
  const factValue = (v: string | number | boolean) =>
    typeof v === "boolean" ? (v ? tc("yes") : tc("no")) : String(v);
  const facts = Object.entries(check.facts);

  return (
    <Card
      aria-label={t(`check_${check.name}`)}
      className={check.ok ? "" : "border-red-300 dark:border-red-800"}
    >
      <CardHeader
        title={t(`check_${check.name}`)}
        aside={<Badge tone={check.ok ? "success" : "danger"}>{check.ok ? t("up") : t("down")}</Badge>}
      />
      <dl className="space-y-1.5 text-sm">
        <div className="flex justify-between gap-4">
          <dt className="text-slate-500 dark:text-slate-400">{t("latency")}</dt>
          <dd className="tabular-nums">{t("latencyValue", { ms: check.latencyMs })}</dd>
        </div>
        {facts.map(([k, v]) => (
          <div key={k} className="flex justify-between gap-4">
            <dt className="text-slate-500 dark:text-slate-400">{factLabel(k)}</dt>
            <dd className="min-w-0 text-right break-all tabular-nums">{factValue(v)}</dd>
          </div>
        ))}
      </dl>
      {check.error && (
        <Alert tone="error" title={t("error")} className="mt-4">
          <span className="break-words">{render(check.errorMessage, check.error)}</span>
        </Alert>
      )}
      {check.warnings.length > 0 && (
        <Alert tone="warning" title={t("warnings")} className="mt-4">
          <ul className="list-disc space-y-1 pl-4">
            {check.warnings.map((w, i) => (
              <li key={w}>{render(check.warningMessages?.[i], w)}</li>
            ))}
          </ul>
        </Alert>
      )}
    </Card>
  );
}
