"use client";
// The instances table, paged, filtered and sorted by the server. It refreshes itself (every 2 s while
// anything shown is changing, else every 10 s), so a build's progress and a stop's completion show up
// without reloading the page.
import { useLocale, useTranslations } from "next-intl";
import Link from "next/link";
import { useEffect, useState } from "react";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { EmptyState } from "@/app/_components/empty-state";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError } from "@/app/_components/query-error";
import { Truncated } from "@/app/_components/truncated";
import { Input, Select } from "@/app/_components/field";
import { PageFooter, SortableTh, type SortState } from "@/app/_components/paged-list";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { useDebounced } from "@/app/_lib/use-debounced";
import { INSTANCE_STATES, type InstanceState } from "@/common/instance-states";
import type { INSTANCE_SORTS } from "@/common/instances";
import { formatDate, formatDateTime } from "@/app/_lib/format";
import { InstanceActions, type ActionMessage, type InstanceActionPermissions } from "./instance-actions";
import { AccelLabel, HostCell, InstanceStatus } from "./instance-status";
import { LaunchDialog } from "./launch-dialog";
import { useInstanceList } from "./use-instances";
import { ViewersBadge } from "./viewers-badge";

export interface InstancePermissions extends InstanceActionPermissions {
  create: boolean;
}

export function InstancesList({ allowed, showOwner }: { allowed: InstancePermissions; showOwner: boolean }) {
  const t = useTranslations("instances");
  const tc = useTranslations("common");
  const locale = useLocale();
  const tl = useTranslations("list");
  const [search, setSearch] = useState("");
  const [state, setState] = useState<InstanceState | "">("");
  const [sort, setSort] = useState<SortState<(typeof INSTANCE_SORTS)[number]>>({
    sort: "createdAt",
    order: "desc",
  });
  const debounced = useDebounced(search.trim());
  const filtered = debounced !== "" || state !== "";
  const list = useInstanceList({ ...sort, search: debounced || undefined, state: state || undefined });
  // In the server's order (it breaks ties by id, so rows never swap places between two refreshes).
  const rows = list.data?.pages.flatMap((p) => p.items);
  const total = list.data?.pages[0]?.total;
  const [launching, setLaunching] = useState(false);
  // "… is being created" is true only until the instance's creation task ends; then the row says the rest.
  const [flash, setFlash] = useState<(ActionMessage & { whileCreating?: string }) | null>(null);
  const created = flash?.whileCreating ? rows?.find((i) => i.id === flash.whileCreating) : undefined;
  const creationEnded = created !== undefined && created.task === null;
  useEffect(() => {
    if (creationEnded) setFlash(null);
  }, [creationEnded]);

  const launchButton = allowed.create && (
    <Button
      onClick={() => {
        setFlash(null);
        setLaunching(true);
      }}
    >
      {t("launch")}
    </Button>
  );
  // Empty with a filter is "nothing matches", shown in the table; empty without one is the page's empty state.
  const empty = total === 0 && !filtered;
  const columns = showOwner ? 7 : 6;

  return (
    <>
      {/* When the list is empty the button sits in the empty state instead: one "Launch instance" per page. */}
      <PageHeader title={t("title")} description={t("description")} actions={!empty && launchButton} />
      {flash && (
        <Alert tone={flash.tone} className="mb-4" data-testid="flash">
          {flash.text}
        </Alert>
      )}

      {list.isError && list.data && (
        <p className="mb-3 text-sm text-amber-700 dark:text-amber-300">{t("refreshFailed")}</p>
      )}

      {list.isError && !list.data ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      ) : empty ? (
        <EmptyState title={t("empty")} action={launchButton}>
          {t("emptyHint")}
        </EmptyState>
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
              data-testid="instance-search"
            />
            <Select
              label={t("colState")}
              value={state}
              onChange={(e) => setState(e.target.value as InstanceState | "")}
              options={[
                { value: "", label: tl("allStates") },
                ...INSTANCE_STATES.filter((s) => s !== "DELETED").map((s) => ({
                  value: s,
                  label: t(`states.${s}`),
                })),
              ]}
              fieldClassName="w-44"
            />
            {total !== undefined && (
              <p className="pb-2 text-sm text-slate-500 dark:text-slate-400">
                {t("count", { count: total })}
              </p>
            )}
          </div>
          <Table caption={t("caption")}>
            <THead>
              <SortableTh column="name" state={sort} onSort={setSort}>
                {t("colName")}
              </SortableTh>
              <Th>{t("colState")}</Th>
              <Th>{t("colImageFlavor")}</Th>
              <Th>{t("colHost")}</Th>
              {showOwner && <Th>{t("colOwner")}</Th>}
              <SortableTh column="createdAt" state={sort} onSort={setSort} firstOrder="desc">
                {t("colCreated")}
              </SortableTh>
              <Th className="text-right">{t("colActions")}</Th>
            </THead>
            <TBody>
              {list.isPending ? (
                <TableMessage colSpan={columns}>{tc("loading")}</TableMessage>
              ) : rows?.length === 0 ? (
                <TableMessage colSpan={columns}>{t("noMatch")}</TableMessage>
              ) : (
                rows?.map((i) => (
                  <Tr key={i.id} data-testid="instance-row">
                    <Td className="whitespace-nowrap font-medium">
                      <Link
                        href={`/instances/${i.id}`}
                        className="text-indigo-700 hover:underline dark:text-indigo-300"
                      >
                        {/* Narrower than elsewhere: this row also carries four action buttons. */}
                        <Truncated text={i.name} className="max-w-[9rem]" />
                      </Link>
                    </Td>
                    <Td>
                      <InstanceStatus instance={i} />
                      <span className="mt-1.5 block empty:hidden">
                        <ViewersBadge instance={i} />
                      </span>
                    </Td>
                    {/* Image and flavor share a cell, and the acceleration sits under the host: the table then
                        fits a laptop screen without hiding the actions off to the side. */}
                    <Td className="min-w-36">
                      <Truncated text={i.image.name} className="max-w-[10rem]" />
                      <span className="block text-xs text-slate-500 dark:text-slate-400">
                        {i.flavor.name} · {t("size", { vcpus: i.vcpus, memoryMiB: String(i.memoryMiB) })}
                      </span>
                    </Td>
                    <Td className="min-w-32">
                      <HostCell host={i.host} />
                      {i.accel && (
                        <span className="mt-0.5 block text-xs text-slate-500 dark:text-slate-400">
                          <AccelLabel accel={i.accel} />
                        </span>
                      )}
                    </Td>
                    {showOwner && (
                      <Td>
                        <Truncated text={i.owner.username} className="max-w-[10rem]" />
                      </Td>
                    )}
                    <Td className="whitespace-nowrap text-xs" title={formatDateTime(i.createdAt, locale)}>
                      {formatDate(i.createdAt, locale)}
                    </Td>
                    <Td className="text-right">
                      <InstanceActions instance={i} allowed={allowed} onMessage={setFlash} />
                    </Td>
                  </Tr>
                ))
              )}
            </TBody>
          </Table>
          <PageFooter shown={rows?.length ?? 0} total={total} query={list} />
        </>
      )}

      <LaunchDialog
        open={launching}
        onClose={() => setLaunching(false)}
        onDone={(text, instanceId) => {
          setLaunching(false);
          setFlash({ tone: "success", text, whileCreating: instanceId });
        }}
      />
    </>
  );
}
