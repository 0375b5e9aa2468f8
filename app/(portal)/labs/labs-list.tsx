"use client";
// The labs the caller manages (their groups' and, for superAdm, the public ones), each a link to its page.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { EmptyState } from "@/app/_components/empty-state";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { Truncated } from "@/app/_components/truncated";
import { useTRPC } from "@/app/_trpc/client";
import { LabDialog } from "./lab-dialog";

export function LabsList({ isSuperAdm }: { isSuperAdm: boolean }) {
  const t = useTranslations("labs");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const labs = useQuery(trpc.labs.list.queryOptions());
  const [creating, setCreating] = useState(false);

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={<Button onClick={() => setCreating(true)}>{t("create")}</Button>}
      />
      {labs.isError && !labs.data ? (
        <QueryError error={labs.error} onRetry={() => void labs.refetch()} retrying={labs.isFetching} />
      ) : labs.data?.length === 0 ? (
        <EmptyState title={t("empty")}>{t("emptyHint")}</EmptyState>
      ) : (
        <Table caption={t("caption")}>
          <THead>
            <Th>{t("colName")}</Th>
            <Th>{t("colGroup")}</Th>
            <Th>{t("colSeats")}</Th>
            <Th>{t("colProfiles")}</Th>
            <Th>{t("colLessons")}</Th>
            <Th>{t("colPools")}</Th>
          </THead>
          <TBody>
            {labs.isPending ? (
              <TableMessage colSpan={6}>{tc("loading")}</TableMessage>
            ) : (
              labs.data.map((l) => (
                <Tr key={l.id} data-testid="lab-row">
                  <Td className="font-medium">
                    <Link
                      href={`/labs/${l.id}`}
                      className="text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      <Truncated text={l.name} />
                    </Link>
                    {l.description && (
                      <span className="block text-xs text-slate-500 dark:text-slate-400">
                        {l.description}
                      </span>
                    )}
                  </Td>
                  <Td>{l.group ? <Truncated text={l.group.name} /> : <Badge>{t("public")}</Badge>}</Td>
                  <Td className="tabular-nums">{l.seats}</Td>
                  <Td className="tabular-nums">{l.profileCount}</Td>
                  <Td className="tabular-nums">{l.lessonCount}</Td>
                  <Td>
                    {l.runningPools > 0 ? (
                      <Badge tone="success">{t("poolsRunning", { count: l.runningPools })}</Badge>
                    ) : (
                      <span className="text-slate-500">{t("noPoolRunning")}</span>
                    )}
                  </Td>
                </Tr>
              ))
            )}
          </TBody>
        </Table>
      )}
      <LabDialog
        open={creating}
        lab={null}
        isSuperAdm={isSuperAdm}
        onClose={() => setCreating(false)}
        onSaved={(l) => {
          // Other pages (a profile's lab choices) read the list: it has one more now.
          void queryClient.invalidateQueries({ queryKey: trpc.labs.list.queryKey() });
          router.push(`/labs/${l.id}`);
        }}
      />
    </>
  );
}
