"use client";
// Which lab PCs run which local desktop (local mode: the PC's agent reports each run, and reports late
// runs once the portal is reachable again). Polls like the hosts table above it.
import { useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { QueryError } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_trpc/client";

const REFRESH_MS = 5_000;

export function LocalDesktopsList() {
  const t = useTranslations("localDesktops");
  const tc = useTranslations("common");
  const locale = useLocale();
  const trpc = useTRPC();
  const list = useQuery(trpc.localDesktops.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const running = list.data?.running ?? [];
  return (
    <section className="mt-10" aria-labelledby="local-desktops-title">
      <h2 id="local-desktops-title" className="mb-1 text-lg font-semibold">
        {t("title")}
      </h2>
      <p className="mb-3 text-sm text-slate-500 dark:text-slate-400">{t("description")}</p>
      {list.isError && !list.data ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      ) : (
        <Table caption={t("caption")}>
          <THead>
            <Th>{t("colPc")}</Th>
            <Th>{t("colProfile")}</Th>
            <Th>{t("colUser")}</Th>
            <Th>{t("colSince")}</Th>
          </THead>
          <TBody>
            {!list.data ? (
              <TableMessage colSpan={4}>{tc("loading")}</TableMessage>
            ) : running.length === 0 ? (
              <TableMessage colSpan={4}>{t("none")}</TableMessage>
            ) : (
              running.map((r) => (
                <Tr key={r.id} data-testid="local-desktop-row">
                  <Td className="font-medium">{r.host.name}</Td>
                  <Td>{t("profileVersion", { name: r.profileName, version: r.profileVersion })}</Td>
                  <Td>{r.user ? r.user.username : t("anonymous")}</Td>
                  <Td>{formatDateTime(r.startedAt, locale)}</Td>
                </Tr>
              ))
            )}
          </TBody>
        </Table>
      )}
    </section>
  );
}
