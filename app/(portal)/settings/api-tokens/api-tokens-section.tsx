"use client";
// Settings → API tokens: one's own tokens, "New token", and the new token's secret shown once.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { AccountRole } from "@/common/roles";
import { Button } from "@/app/_components/button";
import { CardHeader } from "@/app/_components/card";
import { QueryError } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import type { CreatedApiToken } from "@/app/_trpc/views";
import { CreateTokenDialog } from "./create-token-dialog";
import { TokenSecretDialog } from "./token-secret-dialog";
import { TokenTable } from "./token-table";

export function ApiTokensSection({ ownRole }: { ownRole: AccountRole }) {
  const t = useTranslations("apiTokens");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.apiTokens.list.queryOptions());
  const revoke = useMutation(trpc.apiTokens.revoke.mutationOptions());
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiTokens.pathKey() });

  return (
    <>
      <CardHeader title={t("title")} aside={<Button onClick={() => setCreating(true)}>{t("new")}</Button>} />
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">{t("hint")}</p>
      {list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      ) : (
        <TokenTable
          rows={list.data}
          loading={list.isPending}
          empty={t("empty")}
          ownRole={ownRole}
          revoking={revoke.isPending}
          onRevoke={async (id) => {
            await revoke.mutateAsync({ id });
            await refresh();
          }}
        />
      )}
      <CreateTokenDialog
        open={creating}
        ownRole={ownRole}
        onClose={() => setCreating(false)}
        onCreated={(token) => {
          setCreating(false);
          setCreated(token);
          void refresh();
        }}
      />
      <TokenSecretDialog created={created} onClose={() => setCreated(null)} />
    </>
  );
}
