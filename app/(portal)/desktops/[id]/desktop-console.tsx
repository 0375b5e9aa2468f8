"use client";
// A student's desktop: its screen (the graphical console), the teacher's messages and "Release". A
// desktop is the student's only while it is handed to them, so the page reads it from "my desktops"
// (not the instance pages, which are its owner's and teacher's) and says so when it is theirs no more.
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useCallback } from "react";
import { EmptyState } from "@/app/_components/empty-state";
import { QueryError } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import { StateBadge } from "../../instances/instance-status";
import { VncConsole } from "../../instances/[id]/console/vnc-console";
import { DesktopConsoleBar } from "../desktop-console-bar";

export function DesktopConsole({ id }: { id: string }) {
  const t = useTranslations("desktops");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const mine = useQuery(
    trpc.desktops.mine.queryOptions(undefined, {
      // Quickly while it starts or is reset, so the screen opens as soon as it runs.
      refetchInterval: (q) => {
        const d = q.state.data?.desktops.find((x) => x.instanceId === id);
        return d && d.state === "RUNNING" && !d.task ? 10_000 : 2000;
      },
    }),
  );
  const { refetch } = mine;
  const onNotRunning = useCallback(() => void refetch(), [refetch]);

  if (!mine.data)
    return mine.isError ? (
      <QueryError error={mine.error} onRetry={() => void mine.refetch()} retrying={mine.isFetching} />
    ) : (
      <p role="status" className="py-10 text-sm text-slate-500 dark:text-slate-400">
        {tc("loading")}
      </p>
    );
  const desktop = mine.data.desktops.find((d) => d.instanceId === id);
  if (!desktop)
    return (
      <EmptyState title={t("notYours")}>
        <Link href="/desktops" className="text-indigo-700 hover:underline dark:text-indigo-300">
          {t("backToDesktops")}
        </Link>
      </EmptyState>
    );
  const running = desktop.state === "RUNNING" && !desktop.task;

  return (
    <>
      <Link
        href="/desktops"
        className="mb-3 inline-block text-sm text-indigo-700 hover:underline dark:text-indigo-300"
      >
        {t("backToDesktops")}
      </Link>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <h1 className="break-all text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-50">
            {t("consoleTitle", { lab: desktop.labName })}
          </h1>
          <div className="mt-2 flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-400">
            <StateBadge state={desktop.state} />
            <span>{t("desktopLine", { name: desktop.name, profile: desktop.profileName })}</span>
          </div>
        </div>
      </div>
      <DesktopConsoleBar instanceId={id} labName={desktop.labName} />
      <div id="console-panel" className="mt-4">
        {running ? (
          <VncConsole key={`vnc-${id}`} instanceId={id} onNotRunning={onNotRunning} />
        ) : (
          <p
            role="status"
            className="rounded-lg border border-slate-200 p-10 text-center text-sm dark:border-slate-800"
          >
            {t("starting")}
          </p>
        )}
      </div>
    </>
  );
}
