"use client";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Badge } from "@/app/_components/badge";
import { Card, CardHeader } from "@/app/_components/card";
import { QueryError } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-4 py-2.5">
      <dt className="text-sm font-medium text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="col-span-2 text-sm break-words text-slate-900 dark:text-slate-100">{children}</dd>
    </div>
  );
}

/**
 * Read-only: only an administrator changes names, roles and groups. Group names come from
 * groups.list, which plain users may not call; they see how many groups they are in instead.
 */
export function ProfileCard({ canListGroups }: { canListGroups: boolean }) {
  const t = useTranslations();
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  const groups = useQuery({ ...trpc.groups.list.queryOptions(), enabled: canListGroups });
  const none = t("common.none");

  let body: ReactNode;
  if (me.isPending) body = <p className="text-sm text-slate-500">{t("common.loading")}</p>;
  else if (me.isError)
    body = <QueryError error={me.error} onRetry={() => void me.refetch()} retrying={me.isFetching} />;
  else {
    const u = me.data;
    const names = u.groupIds
      .map((id) => groups.data?.find((g) => g.id === id)?.name)
      .filter((n): n is string => Boolean(n));
    const groupText =
      u.groupIds.length === 0
        ? t("settings.noGroups")
        : names.length === u.groupIds.length
          ? names.join(", ")
          : t("settings.groupsCount", { count: u.groupIds.length });
    body = (
      <dl className="divide-y divide-slate-100 dark:divide-slate-800">
        <Row label={t("settings.username")}>{u.username}</Row>
        <Row label={t("settings.displayName")}>{u.displayName || none}</Row>
        <Row label={t("settings.email")}>{u.email || none}</Row>
        <Row label={t("settings.role")}>
          <Badge tone="info">{t(`roles.${u.role}`)}</Badge>
        </Row>
        <Row label={t("settings.groups")}>{groupText}</Row>
      </dl>
    );
  }

  return (
    <Card>
      <CardHeader title={t("settings.profileTitle")} />
      {body}
    </Card>
  );
}
