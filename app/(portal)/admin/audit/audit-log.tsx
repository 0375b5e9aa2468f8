"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import type { AUDIT_SORTS, AuditFilter } from "@/common/audit";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { PageHeader } from "@/app/_components/page-header";
import { PageFooter, SortableTh, type SortState } from "@/app/_components/paged-list";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { downloadText } from "@/app/_lib/download-text";
import { compactDate, formatDateTime } from "@/app/_lib/format";
import { useTRPC, useTRPCClient } from "@/app/_trpc/client";
import { AuditFilters } from "./audit-filters";

const PAGE_SIZE = 50;

export function AuditLog({ canExport }: { canExport: boolean }) {
  const t = useTranslations("audit");
  const tc = useTranslations("common");
  const locale = useLocale();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const errorText = useMutationErrorText();
  const [filter, setFilter] = useState<AuditFilter>({});
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const [sort, setSort] = useState<SortState<(typeof AUDIT_SORTS)[number]>>({ sort: "at", order: "desc" });
  const log = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { filter, limit: PAGE_SIZE, ...sort },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  const total = log.data?.pages[0]?.total;

  async function exportCsv() {
    setExporting(true);
    setExportError(null);
    try {
      downloadText(await client.audit.exportCsv.query(filter), `audit-${compactDate()}.csv`);
    } catch (err) {
      setExportError(t("exportFailed", { message: errorText(err) }));
    } finally {
      setExporting(false);
    }
  }

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          canExport && (
            <Button variant="secondary" busy={exporting} onClick={() => void exportCsv()}>
              {t("exportCsv")}
            </Button>
          )
        }
      />
      {exportError && (
        <Alert tone="error" className="mb-4">
          {exportError}
        </Alert>
      )}
      <AuditFilters onApply={setFilter} />

      {log.isError && !log.data ? (
        <QueryError error={log.error} onRetry={() => void log.refetch()} retrying={log.isFetching} />
      ) : (
        <>
          <Table caption={t("caption")}>
            <THead>
              <SortableTh column="at" state={sort} onSort={setSort} firstOrder="desc">
                {t("colTime")}
              </SortableTh>
              <Th>{t("colActor")}</Th>
              <Th>{t("colAction")}</Th>
              <Th>{t("colTarget")}</Th>
              <Th>{t("colResult")}</Th>
              <Th>{t("colSource")}</Th>
            </THead>
            <TBody>
              {log.isPending ? (
                <TableMessage colSpan={6}>{tc("loading")}</TableMessage>
              ) : rows.length === 0 ? (
                <TableMessage colSpan={6}>{t("empty")}</TableMessage>
              ) : (
                rows.map((r) => (
                  <Tr key={r.id}>
                    <Td className="whitespace-nowrap tabular-nums">{formatDateTime(r.at, locale)}</Td>
                    <Td>{r.actorName}</Td>
                    <Td className="font-mono text-xs">{r.action}</Td>
                    <Td className="text-slate-600 dark:text-slate-400">
                      {r.targetType ? `${r.targetType}${r.targetId ? ` #${r.targetId}` : ""}` : tc("none")}
                    </Td>
                    <Td className="whitespace-nowrap">
                      <Badge tone={r.result === "success" ? "success" : "danger"}>{t(r.result)}</Badge>
                      {r.errorCode && (
                        <span className="ml-2 font-mono text-xs text-slate-500">{r.errorCode}</span>
                      )}
                    </Td>
                    <Td className="font-mono text-xs">{r.sourceIp ?? tc("none")}</Td>
                  </Tr>
                ))
              )}
            </TBody>
          </Table>
          {log.isError && (
            <div className="mt-4">
              <QueryError error={log.error} />
            </div>
          )}
          <PageFooter shown={rows.length} total={total} query={log} />
        </>
      )}
    </>
  );
}
