"use client";
// One instance: its state (live), what it is made of, and what happened to it. Polls like the list:
// every 2 s while busy, every 10 s otherwise, and not at all once it is gone.
import { useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { InstanceGone } from "./instance-gone";
import Link from "next/link";
import { useEffect, useState, type ReactNode } from "react";
import type { InstanceView } from "@/app/_trpc/views";
import { isBusy } from "@/common/instance-states";
import { Alert } from "@/app/_components/alert";
import { Card, CardHeader } from "@/app/_components/card";
import { QueryError } from "@/app/_components/query-error";
import { formatDateTime } from "@/app/_lib/format";
import { useMessage } from "@/app/_lib/render-message";
import { readError } from "@/app/_lib/trpc-error";
import { useTRPC } from "@/app/_trpc/client";
import { InstanceActions, type ActionMessage, type InstanceActionPermissions } from "../instance-actions";
import { AccelLabel, HostCell, StateBadge, TaskProgress } from "../instance-status";
import { refreshInterval } from "../use-instances";
import { ViewersBadge } from "../viewers-badge";
import { InstanceEvents, useInstanceEvents } from "./instance-events";
import { InstanceNetwork, type NetworkPermissions } from "./instance-network";
import { InstanceStorage } from "./instance-storage";

/** A malformed id is answered with BAD_REQUEST; to the person it is just as missing as an unknown one. */
const GONE_CODES = new Set(["NOT_FOUND", "BAD_REQUEST"]);

export function InstanceDetail({
  id,
  allowed,
  network,
}: {
  id: string;
  allowed: InstanceActionPermissions;
  network: NetworkPermissions;
}) {
  const t = useTranslations("instance");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const [flash, setFlash] = useState<ActionMessage | null>(null);
  const instance = useQuery(
    trpc.instances.get.queryOptions(
      { id },
      {
        refetchInterval: (q) => {
          const data = q.state.data;
          if (!data || data.state === "DELETED") return false;
          return refreshInterval(isBusy(data));
        },
      },
    ),
  );
  const data = instance.data;
  const code = instance.isError ? readError(instance.error).code : null;
  const gone = (code !== null && GONE_CODES.has(code)) || data?.state === "DELETED";
  const events = useInstanceEvents(id, !!data && isBusy(data), !gone);
  // The timeline shows a change the moment the state badge does, not at the next slow poll.
  const shownState = data?.state;
  const refetchEvents = events.refetch;
  useEffect(() => {
    if (shownState) void refetchEvents();
  }, [shownState, refetchEvents]);
  const render = useMessage();
  // Why it is in ERROR, in the reader's language: the timeline entry that put it there carries the code.
  const errorEvent = events.data?.find((e) => e.toState === "ERROR" && e.code);
  const errorText = errorEvent
    ? render({ code: errorEvent.code!, params: errorEvent.params }, data?.errorReason)
    : data?.errorReason;

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

  return (
    <>
      <Link
        href="/instances"
        className="mb-3 inline-block text-sm text-indigo-700 hover:underline dark:text-indigo-300"
      >
        <span aria-hidden>← </span>
        {t("back")}
      </Link>
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <h1 className="break-all text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-50">
            {data.name}
          </h1>
          <div className="mt-2 flex flex-wrap items-center gap-3">
            <StateBadge state={data.state} />
            <ViewersBadge instance={data} />
          </div>
        </div>
        <InstanceActions instance={data} allowed={allowed} onMessage={setFlash} size="md" />
      </div>

      <div className="space-y-6">
        {flash && (
          <Alert tone={flash.tone} data-testid="flash">
            {flash.text}
          </Alert>
        )}
        {/* A failed poll keeps the last known state on screen, with a note, rather than blanking the page. */}
        {instance.isError && <QueryError error={instance.error} />}
        {data.task && (
          <Card aria-label={t("status")}>
            <TaskProgress instance={data} barClassName="" />
          </Card>
        )}
        {data.state === "ERROR" && (
          <Alert tone="error" title={t("errorTitle")} data-testid="instance-error">
            <span className="break-words">{errorText || t("noReason")}</span>
          </Alert>
        )}
        <div className="grid gap-6 lg:grid-cols-5">
          <Facts instance={data} className="lg:col-span-2" />
          <InstanceEvents events={events} className="lg:col-span-3" />
        </div>
        <InstanceNetwork
          instanceId={data.id}
          canForward={!!data.host && data.state !== "DELETING"}
          allowed={network}
          onMessage={setFlash}
        />
        <InstanceStorage instance={data} onMessage={setFlash} />
      </div>
    </>
  );
}

function Facts({ instance: i, className }: { instance: InstanceView; className?: string }) {
  const t = useTranslations("instance");
  const locale = useLocale();
  const rows: [string, ReactNode][] = [
    [t("image"), i.image.name],
    [t("flavor"), i.flavor.name],
    [t("vcpus"), i.vcpus],
    [t("memory"), t("memoryValue", { memoryMiB: String(i.memoryMiB) })],
    [t("disk"), t("diskValue", { diskGiB: String(i.diskGiB) })],
    [t("host"), <HostCell key="host" host={i.host} />],
    [t("accel"), <AccelLabel key="accel" accel={i.accel} />],
    [t("owner"), i.owner.username],
    [t("created"), formatDateTime(i.createdAt, locale)],
    [t("updated"), formatDateTime(i.updatedAt, locale)],
    [
      t("id"),
      <code key="id" className="break-all text-xs">
        {i.id}
      </code>,
    ],
  ];
  return (
    <Card className={className}>
      <CardHeader title={t("details")} />
      <dl className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
        {rows.map(([label, value]) => (
          <div key={label} className="grid grid-cols-5 gap-3 py-2">
            <dt className="col-span-2 text-slate-500 dark:text-slate-400">{label}</dt>
            <dd className="col-span-3 min-w-0 break-words text-slate-900 dark:text-slate-100">{value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
