"use client";
// An instance's console page: the graphical (VNC) and the serial console, one at a time. While the
// instance is not running it says so, offers "Start", and keeps polling; the console connects by
// itself as soon as the instance is running.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { InstanceGone } from "../instance-gone";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useCallback, useState } from "react";
import type { InstanceView } from "@/app/_trpc/views";
import { canStart, isBusy } from "@/common/instance-states";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Card } from "@/app/_components/card";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { readError } from "@/app/_lib/trpc-error";
import { useTRPC } from "@/app/_trpc/client";
import { InstanceStatus, StateBadge } from "../../instance-status";
import { BUSY_REFRESH_MS, IDLE_REFRESH_MS, useInstanceCache } from "../../use-instances";
import { SerialConsole } from "./serial-console";
import { VncConsole } from "./vnc-console";

const CONSOLE_TABS = ["graphical", "serial"] as const;
export type ConsoleTab = (typeof CONSOLE_TABS)[number];

const GONE_CODES = new Set(["NOT_FOUND", "BAD_REQUEST"]);

export function InstanceConsole({
  id,
  initialTab,
  allowStart,
}: {
  id: string;
  initialTab: ConsoleTab;
  allowStart: boolean;
}) {
  const t = useTranslations("console");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const pathname = usePathname();
  const instance = useQuery(
    trpc.instances.get.queryOptions(
      { id },
      {
        // Quickly while it is not (yet) running, so the console opens soon after it starts.
        refetchInterval: (q) => {
          const data = q.state.data;
          if (!data || data.state === "DELETED") return false;
          return data.state === "RUNNING" && !isBusy(data) ? IDLE_REFRESH_MS : BUSY_REFRESH_MS;
        },
      },
    ),
  );
  const [tab, setTab] = useState<ConsoleTab>(initialTab);
  // When the server refused a ticket because the instance is not running, our copy was stale: the page
  // shows "not running" until a fetch made after the refusal says it runs again.
  const [refusedAt, setRefusedAt] = useState<number | null>(null);
  const { refetch } = instance;
  const onNotRunning = useCallback(() => {
    setRefusedAt(Date.now());
    void refetch();
  }, [refetch]);

  const data = instance.data;
  const code = instance.isError ? readError(instance.error).code : null;
  const gone = (code !== null && GONE_CODES.has(code)) || data?.state === "DELETED";

  if (instance.isPending) {
    return (
      <p role="status" className="py-10 text-sm text-slate-500 dark:text-slate-400">
        {tc("loading")}
      </p>
    );
  }
  if (gone) return <InstanceGone deleted={data?.state === "DELETED"} />;
  if (!data) {
    return (
      <QueryError
        error={instance.error}
        onRetry={() => void instance.refetch()}
        retrying={instance.isFetching}
      />
    );
  }

  const refused = refusedAt !== null && !(instance.dataUpdatedAt > refusedAt && data.state === "RUNNING");
  const running = data.state === "RUNNING" && !refused;

  function choose(next: ConsoleTab) {
    setTab(next);
    // Kept in the address so a reload (or a shared link) opens the same console; no server round trip.
    window.history.replaceState(null, "", next === "graphical" ? pathname : `${pathname}?view=${next}`);
  }

  return (
    <>
      <Link
        href={`/instances/${id}`}
        className="mb-3 inline-block text-sm text-indigo-700 hover:underline dark:text-indigo-300"
      >
        <span aria-hidden>← </span>
        {t("back")}
      </Link>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <h1 className="break-all text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-50">
            {t("title", { name: data.name })}
          </h1>
          <div className="mt-2 flex flex-wrap items-center gap-3">
            <StateBadge state={data.state} />
          </div>
        </div>
        {/* Two toggle buttons (aria-pressed) rather than a tablist: each is one plain "Graphical" / "Serial" button. */}
        <div
          role="group"
          aria-label={t("tabsLabel")}
          className="inline-flex rounded-md border border-slate-300 bg-white p-0.5 shadow-sm dark:border-slate-600 dark:bg-slate-800"
        >
          {CONSOLE_TABS.map((key) => {
            const selected = tab === key;
            return (
              <button
                key={key}
                type="button"
                aria-pressed={selected}
                aria-controls="console-panel"
                onClick={() => choose(key)}
                className={
                  "rounded px-3 py-1.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 " +
                  (selected
                    ? "bg-indigo-600 text-white dark:bg-indigo-500"
                    : "text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-700")
                }
              >
                {t(key)}
              </button>
            );
          })}
        </div>
      </div>

      {/* A failed poll keeps the console on screen, with a note, rather than dropping the connection. */}
      {instance.isError && <QueryError error={instance.error} />}

      <div id="console-panel" className="mt-4">
        {!running ? (
          <NotRunning instance={data} allowStart={allowStart} />
        ) : tab === "graphical" ? (
          <VncConsole key={`vnc-${id}`} instanceId={id} onNotRunning={onNotRunning} />
        ) : (
          <SerialConsole key={`serial-${id}`} instanceId={id} onNotRunning={onNotRunning} />
        )}
      </div>
    </>
  );
}

function NotRunning({ instance, allowStart }: { instance: InstanceView; allowStart: boolean }) {
  const t = useTranslations("console");
  const ti = useTranslations("instances");
  const trpc = useTRPC();
  const cache = useInstanceCache();
  const errorText = useMutationErrorText();
  const start = useMutation(trpc.instances.start.mutationOptions());
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setError(null);
    try {
      cache.apply(await start.mutateAsync({ id: instance.id }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      void cache.invalidate();
    }
  }

  return (
    <Card className="mx-auto max-w-xl text-center" data-testid="console-not-running">
      <p className="text-base font-semibold text-slate-900 dark:text-slate-100">{t("notRunning")}</p>
      <div className="mt-3 flex justify-center">
        <InstanceStatus instance={instance} />
      </div>
      <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">{t("notRunningHint")}</p>
      {allowStart && canStart(instance) && (
        <Button className="mt-4" busy={start.isPending} onClick={() => void run()}>
          {ti("start")}
        </Button>
      )}
      {error && (
        <Alert tone="error" className="mt-4 text-left">
          {error}
        </Alert>
      )}
    </Card>
  );
}
