"use client";
// Every background task the caller may see (own; a powerAdm also their groups'; superAdm all), live:
// polled fast while something shown runs, slowly when everything is settled (like the instances page).
// Paged, filtered and sorted by the server.
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import { Input, Select } from "@/app/_components/field";
import { PageFooter, SortableTh, type SortState } from "@/app/_components/paged-list";
import { useDebounced } from "@/app/_lib/use-debounced";
import { TASK_STATES, type TASK_SORTS, type TaskState } from "@/common/tasks";
import { Badge, type BadgeTone } from "@/app/_components/badge";
import { PageHeader } from "@/app/_components/page-header";
import { ProgressBar } from "@/app/_components/progress-bar";
import { QueryError } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { formatDateTime } from "@/app/_lib/format";
import { useMessage } from "@/app/_lib/render-message";
import { formatBytes } from "@/app/_lib/units";
import { useTRPC } from "@/app/_trpc/client";

const STATE_TONE: Record<string, BadgeTone> = {
  queued: "neutral",
  running: "info",
  succeeded: "success",
  failed: "danger",
};
const COLUMNS = 6;

export function TasksList() {
  const t = useTranslations("tasks");
  const tc = useTranslations("common");
  const render = useMessage();
  const locale = useLocale();
  const trpc = useTRPC();
  // "image.import" → tasks.kind.image_import (next-intl reads dots as nesting); unknown kinds as they are.
  const kindLabel = (kind: string) => {
    const key = `kind.${kind.replace(/\./g, "_")}` as "kind.image_import";
    return t.has(key) ? t(key) : kind;
  };
  const tl = useTranslations("list");
  const [search, setSearch] = useState("");
  const [state, setState] = useState<TaskState | "">("");
  const [sort, setSort] = useState<SortState<(typeof TASK_SORTS)[number]>>({
    sort: "createdAt",
    order: "desc",
  });
  const debounced = useDebounced(search.trim());
  const tasks = useInfiniteQuery({
    ...trpc.tasks.list.infiniteQueryOptions(
      { ...sort, search: debounced || undefined, state: state || undefined, limit: 50 },
      {
        getNextPageParam: (last) => last.nextCursor ?? undefined,
        refetchInterval: (q) =>
          q.state.data?.pages.some((p) => p.items.some((x) => x.state === "queued" || x.state === "running"))
            ? 1000
            : 5000,
      },
    ),
    placeholderData: keepPreviousData,
  });
  const rows = tasks.data?.pages.flatMap((p) => p.items);
  const total = tasks.data?.pages[0]?.total;

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {tasks.isError && !tasks.data ? (
        <QueryError error={tasks.error} onRetry={() => void tasks.refetch()} retrying={tasks.isFetching} />
      ) : (
        <>
          <div className="mb-3 flex flex-wrap items-end gap-3">
            <Input
              label={tl("search")}
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder={t("searchPlaceholder")}
              fieldClassName="w-64"
            />
            <Select
              label={t("colState")}
              value={state}
              onChange={(e) => setState(e.target.value as TaskState | "")}
              options={[
                { value: "", label: tl("allStates") },
                ...TASK_STATES.map((s) => ({ value: s, label: t(`state.${s}`) })),
              ]}
              fieldClassName="w-44"
            />
          </div>
          <Table caption={t("title")}>
            <THead>
              <Th>{t("colTask")}</Th>
              <Th>{t("colState")}</Th>
              <Th>{t("colProgress")}</Th>
              <Th>{t("colMessage")}</Th>
              <Th>{t("colBy")}</Th>
              <SortableTh column="createdAt" state={sort} onSort={setSort} firstOrder="desc">
                {t("colTimes")}
              </SortableTh>
            </THead>
            <TBody>
              {tasks.isPending ? (
                <TableMessage colSpan={COLUMNS}>{tc("loading")}</TableMessage>
              ) : rows?.length === 0 ? (
                <TableMessage colSpan={COLUMNS}>{t("empty")}</TableMessage>
              ) : (
                rows?.map((x) => (
                  <Tr key={x.id} data-testid="task-row">
                    <Td>
                      <div className="font-medium">{kindLabel(x.kind)}</div>
                      <div className="text-xs text-slate-500">{x.targetName}</div>
                    </Td>
                    <Td>
                      <Badge tone={STATE_TONE[x.state]}>{t(`state.${x.state}`)}</Badge>
                    </Td>
                    <Td className="min-w-40">
                      <ProgressBar
                        value={x.state === "queued" ? null : x.percent}
                        label={t("progressOf", { name: x.targetName })}
                        tone={x.state === "failed" ? "danger" : x.state === "succeeded" ? "success" : "info"}
                      />
                      <div className="mt-1 text-xs tabular-nums text-slate-500">
                        {x.percent}%
                        {x.bytesTotal
                          ? ` · ${formatBytes(x.bytesDone ?? 0, locale)} / ${formatBytes(x.bytesTotal, locale)}`
                          : ""}
                      </div>
                    </Td>
                    <Td className="max-w-md text-sm">
                      {x.error ? (
                        <span className="text-red-700 dark:text-red-300">
                          {render(x.errorCode ? { code: x.errorCode, params: x.errorParams } : null, x.error)}
                        </span>
                      ) : (
                        render(
                          x.messageCode ? { code: x.messageCode, params: x.messageParams } : null,
                          x.message,
                        )
                      )}
                    </Td>
                    <Td className="text-sm">{x.createdByName ?? "—"}</Td>
                    <Td className="text-xs">
                      <div>{formatDateTime(x.createdAt, locale)}</div>
                      {x.finishedAt && (
                        <div className="text-slate-500">
                          {t("finished", { at: formatDateTime(x.finishedAt, locale) })}
                        </div>
                      )}
                    </Td>
                  </Tr>
                ))
              )}
            </TBody>
          </Table>
          <PageFooter shown={rows?.length ?? 0} total={total} query={tasks} />
        </>
      )}
    </>
  );
}
