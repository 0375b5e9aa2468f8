"use client";
// superAdm: every account's tokens, to revoke one that should not work any more.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { CardHeader } from "@/app/_components/card";
import { QueryError } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import { TokenTable } from "./token-table";

export function AllApiTokens() {
  const t = useTranslations("apiTokens");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.apiTokens.listAll.queryOptions());
  const revoke = useMutation(trpc.apiTokens.revokeAny.mutationOptions());

  return (
    <>
      <CardHeader title={t("allTitle")} />
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">{t("allHint")}</p>
      {list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      ) : (
        <TokenTable
          rows={list.data}
          loading={list.isPending}
          empty={t("allEmpty")}
          showUser
          revoking={revoke.isPending}
          onRevoke={async (id) => {
            await revoke.mutateAsync({ id });
            await queryClient.invalidateQueries({ queryKey: trpc.apiTokens.pathKey() });
          }}
        />
      )}
    </>
  );
}
