"use client";
// A group as its admins see it: the group's limits and use, and each member's use against their own
// limits. Admins set a member's limits here (within the group's own). The class page can embed it:
// <GroupUsage groupId={id} />.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import { QUOTA_KEYS, type QuotaKey } from "@/common/quotas";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { QueryError } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { useTRPC } from "@/app/_trpc/client";
import { QuotaBars, QuotaCell } from "./quota-bars";
import { QuotaLimitsDialog } from "./quota-limits-dialog";
import { COMPACT, SortHeader, sortRows, type SortState } from "./sort-header";

export function GroupUsage({ groupId, canSetLimits = true }: { groupId: number; canSetLimits?: boolean }) {
  const t = useTranslations("usage");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const view = useQuery(trpc.quotas.group.queryOptions({ groupId }));
  const [editing, setEditing] = useState<number | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [sort, setSort] = useState<SortState>({ column: "username", dir: "asc" });
  const save = useMutation(trpc.quotas.setUserLimits.mutationOptions());

  const members = useMemo(
    () =>
      sortRows(view.data?.members ?? [], sort, (m, column) =>
        column === "username" ? m.username : m.usage[column as QuotaKey],
      ),
    [view.data, sort],
  );
  if (view.isError && !view.data)
    return <QueryError error={view.error} onRetry={() => void view.refetch()} retrying={view.isFetching} />;
  if (!view.data) return <p className="text-sm text-slate-500 dark:text-slate-400">{tc("loading")}</p>;
  const { group } = view.data;
  const member = view.data.members.find((m) => m.id === editing);

  return (
    <div className="space-y-6">
      <Card aria-labelledby="group-usage-title">
        <CardHeader title={<span id="group-usage-title">{t("groupTitle", { group: group.name })}</span>} />
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          {t("groupMembersHint", { count: group.memberCount })}
        </p>
        <QuotaBars usage={group.usage} limits={group.limits} />
      </Card>
      {done && <Alert tone="success">{done}</Alert>}
      <Table caption={t("membersCaption", { group: group.name })}>
        <THead>
          <SortHeader column="username" sort={sort} onSort={setSort}>
            {t("colMember")}
          </SortHeader>
          {QUOTA_KEYS.map((k) => (
            <SortHeader key={k} column={k} sort={sort} onSort={setSort} className={COMPACT}>
              {t(`short.${k}`)}
            </SortHeader>
          ))}
          {canSetLimits && <Th className={COMPACT}>{t("colActions")}</Th>}
        </THead>
        <TBody>
          {members.length === 0 && (
            <TableMessage colSpan={QUOTA_KEYS.length + 2}>{t("noMembers")}</TableMessage>
          )}
          {members.map((m) => (
            <Tr key={m.id}>
              <Td className="whitespace-nowrap">
                <span className="font-medium">{m.displayName}</span>{" "}
                {m.isAdmin && <Badge tone="info">{t("admin")}</Badge>}
                <span className="block text-xs text-slate-500 dark:text-slate-400">{m.username}</span>
              </Td>
              {QUOTA_KEYS.map((k) => (
                <Td key={k} className={COMPACT}>
                  <QuotaCell used={m.usage[k]} limit={m.limits[k]} k={k} />
                </Td>
              ))}
              {canSetLimits && (
                <Td className={COMPACT}>
                  {m.isAdmin || m.role === "powerAdm" || m.role === "superAdm" ? null : (
                    <Button size="sm" variant="secondary" onClick={() => setEditing(m.id)}>
                      {t("editLimits")}
                    </Button>
                  )}
                </Td>
              )}
            </Tr>
          ))}
        </TBody>
      </Table>
      {member && (
        <QuotaLimitsDialog
          open={editing !== null}
          title={t("userLimitsTitle", { user: member.username })}
          description={t("memberLimitsHint", { group: group.name })}
          limits={member.own}
          onClose={() => setEditing(null)}
          onSave={async (limits) => {
            await save.mutateAsync({ userId: member.id, limits });
            setDone(t("saved", { name: member.username }));
            await queryClient.invalidateQueries({ queryKey: trpc.quotas.group.queryKey({ groupId }) });
          }}
        />
      )}
    </div>
  );
}
