"use client";
// The groups the caller administers (a superAdm: every group), each a link to its class page.
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { Badge } from "@/app/_components/badge";
import { EmptyState } from "@/app/_components/empty-state";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { Truncated } from "@/app/_components/truncated";
import { useTRPC } from "@/app/_trpc/client";

export function ClassesList() {
  const t = useTranslations("classes");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const classes = useQuery(trpc.classes.list.queryOptions());

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {classes.isError && !classes.data ? (
        <QueryError
          error={classes.error}
          onRetry={() => void classes.refetch()}
          retrying={classes.isFetching}
        />
      ) : classes.data?.length === 0 ? (
        <EmptyState title={t("empty")}>{t("emptyHint")}</EmptyState>
      ) : (
        <Table caption={t("caption")}>
          <THead>
            <Th>{t("colName")}</Th>
            <Th>{t("colKind")}</Th>
            <Th>{t("colMembers")}</Th>
            <Th>{t("colMachines")}</Th>
          </THead>
          <TBody>
            {classes.isPending ? (
              <TableMessage colSpan={4}>{tc("loading")}</TableMessage>
            ) : (
              classes.data.map((c) => (
                <Tr key={c.id} data-testid="class-row">
                  <Td className="font-medium">
                    <Link
                      href={`/classes/${c.id}`}
                      className="text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      <Truncated text={c.name} />
                    </Link>
                    {c.description && (
                      <span className="block text-xs text-slate-500 dark:text-slate-400">
                        {c.description}
                      </span>
                    )}
                  </Td>
                  <Td>
                    <Badge tone={c.kind === "class" ? "info" : "neutral"}>{t(`kind.${c.kind}`)}</Badge>
                  </Td>
                  <Td className="whitespace-nowrap">{t("memberCount", { count: c.memberCount })}</Td>
                  <Td className="whitespace-nowrap">{t("machineCount", { count: c.machineCount })}</Td>
                </Tr>
              ))
            )}
          </TBody>
        </Table>
      )}
    </>
  );
}
