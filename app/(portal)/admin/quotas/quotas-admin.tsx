"use client";
// superAdm's view of quotas: the defaults per role, every group's and every user's limits and use
// (sortable by any column), the limit editors, and the whole list as CSV.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useMemo, useState } from "react";
import { ACCOUNT_ROLES, type AccountRole } from "@/common/roles";
import { QUOTA_KEYS, type QuotaKey, type QuotaLimits } from "@/common/quotas";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { Input } from "@/app/_components/field";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { downloadText } from "@/app/_lib/download-text";
import { compactDate } from "@/app/_lib/format";
import { useTRPC, useTRPCClient } from "@/app/_trpc/client";
import { QuotaCell, useQuotaAmount } from "../../usage/quota-bars";
import { QuotaLimitsDialog } from "../../usage/quota-limits-dialog";
import { COMPACT, SortHeader, sortRows, type SortState } from "../../usage/sort-header";

type Editing =
  | { kind: "role"; role: AccountRole; limits: QuotaLimits }
  | { kind: "group"; id: number; name: string; limits: QuotaLimits }
  | { kind: "user"; id: number; name: string; limits: QuotaLimits }
  | null;

export function QuotasAdmin() {
  const t = useTranslations("quotasAdmin");
  const tu = useTranslations("usage");
  const tr = useTranslations("roles");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const amount = useQuotaAmount();
  const all = useQuery(trpc.quotas.listAll.queryOptions());
  const [editing, setEditing] = useState<Editing>(null);
  const [done, setDone] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const [userSort, setUserSort] = useState<SortState>({ column: "username", dir: "asc" });
  const [groupSort, setGroupSort] = useState<SortState>({ column: "name", dir: "asc" });
  const setRole = useMutation(trpc.quotas.setRoleDefaults.mutationOptions());
  const setGroup = useMutation(trpc.quotas.setGroupLimits.mutationOptions());
  const setUser = useMutation(trpc.quotas.setUserLimits.mutationOptions());

  const users = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const rows = (all.data?.users ?? []).filter(
      (u) => !f || u.username.toLowerCase().includes(f) || u.displayName.toLowerCase().includes(f),
    );
    return sortRows(rows, userSort, (u, c) =>
      c === "username" ? u.username : c === "role" ? ACCOUNT_ROLES.indexOf(u.role) : u.usage[c as QuotaKey],
    );
  }, [all.data, userSort, filter]);
  const groups = useMemo(
    () =>
      sortRows(all.data?.groups ?? [], groupSort, (g, c) =>
        c === "name" ? g.name : c === "members" ? g.memberCount : g.usage[c as QuotaKey],
      ),
    [all.data, groupSort],
  );

  async function exportCsv() {
    setExporting(true);
    setExportError(null);
    try {
      downloadText(await client.quotas.exportAll.query(), `quotas-${compactDate()}.csv`);
    } catch (err) {
      setExportError(t("exportFailed", { message: errorText(err) }));
    } finally {
      setExporting(false);
    }
  }

  async function save(limits: QuotaLimits) {
    if (!editing) return;
    if (editing.kind === "role") await setRole.mutateAsync({ role: editing.role, limits });
    if (editing.kind === "group") await setGroup.mutateAsync({ groupId: editing.id, limits });
    if (editing.kind === "user") await setUser.mutateAsync({ userId: editing.id, limits });
    setDone(tu("saved", { name: editing.kind === "role" ? tr(editing.role) : editing.name }));
    await queryClient.invalidateQueries({ queryKey: trpc.quotas.listAll.queryKey() });
  }

  const limitText = (k: QuotaKey, v: number | null | undefined) =>
    v === null || v === undefined ? <span className="text-slate-400">—</span> : amount(k, v);

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          <Button variant="secondary" busy={exporting} onClick={() => void exportCsv()}>
            {t("exportCsv")}
          </Button>
        }
      />
      {exportError && (
        <Alert tone="error" className="mb-4">
          {exportError}
        </Alert>
      )}
      {done && (
        <Alert tone="success" className="mb-4">
          {done}
        </Alert>
      )}
      {all.isError && !all.data ? (
        <QueryError error={all.error} onRetry={() => void all.refetch()} retrying={all.isFetching} />
      ) : !all.data ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">{tc("loading")}</p>
      ) : (
        <div className="space-y-8">
          <Card aria-labelledby="role-defaults">
            <CardHeader title={<span id="role-defaults">{t("roleDefaults")}</span>} />
            <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">{t("roleDefaultsHint")}</p>
            <Table caption={t("roleDefaults")}>
              <THead>
                <Th>{t("colRole")}</Th>
                {QUOTA_KEYS.map((k) => (
                  <Th key={k} className={COMPACT}>
                    {tu(`short.${k}`)}
                  </Th>
                ))}
                <Th className={COMPACT}>{tu("colActions")}</Th>
              </THead>
              <TBody>
                {ACCOUNT_ROLES.map((role) => (
                  <Tr key={role}>
                    <Td className="font-medium">{tr(role)}</Td>
                    {QUOTA_KEYS.map((k) => (
                      <Td key={k} className={`tabular-nums ${COMPACT}`}>
                        {limitText(k, all.data.roleDefaults[role][k])}
                      </Td>
                    ))}
                    <Td className={COMPACT}>
                      <Button
                        size="sm"
                        variant="secondary"
                        aria-label={t("editRoleAria", { role: tr(role) })}
                        onClick={() =>
                          setEditing({ kind: "role", role, limits: all.data.roleDefaults[role] })
                        }
                      >
                        {tu("editLimits")}
                      </Button>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </Card>

          <section aria-labelledby="groups-heading" className="space-y-3">
            <h2 id="groups-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
              {t("groups")}
            </h2>
            <p className="text-sm text-slate-600 dark:text-slate-400">{t("groupsHint")}</p>
            <Table caption={t("groups")}>
              <THead>
                <SortHeader column="name" sort={groupSort} onSort={setGroupSort}>
                  {t("colGroup")}
                </SortHeader>
                <SortHeader column="members" sort={groupSort} onSort={setGroupSort} className={COMPACT}>
                  {t("colMembers")}
                </SortHeader>
                {QUOTA_KEYS.map((k) => (
                  <SortHeader key={k} column={k} sort={groupSort} onSort={setGroupSort} className={COMPACT}>
                    {tu(`short.${k}`)}
                  </SortHeader>
                ))}
                <Th className={COMPACT}>{tu("colActions")}</Th>
              </THead>
              <TBody>
                {groups.length === 0 && (
                  <TableMessage colSpan={QUOTA_KEYS.length + 3}>{t("noGroups")}</TableMessage>
                )}
                {groups.map((g) => (
                  <Tr key={g.id}>
                    <Td className="whitespace-nowrap font-medium">
                      <Link
                        href={`/usage/groups/${g.id}`}
                        className="text-indigo-700 hover:underline dark:text-indigo-300"
                      >
                        {g.name}
                      </Link>
                    </Td>
                    <Td className={`tabular-nums ${COMPACT}`}>{g.memberCount}</Td>
                    {QUOTA_KEYS.map((k) => (
                      <Td key={k} className={COMPACT}>
                        <QuotaCell used={g.usage[k]} limit={g.limits[k]} k={k} />
                      </Td>
                    ))}
                    <Td className={COMPACT}>
                      <Button
                        size="sm"
                        variant="secondary"
                        aria-label={t("editGroupAria", { group: g.name })}
                        onClick={() =>
                          setEditing({ kind: "group", id: g.id, name: g.name, limits: g.limits })
                        }
                      >
                        {tu("editLimits")}
                      </Button>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </section>

          <section aria-labelledby="users-heading" className="space-y-3">
            <div className="flex flex-wrap items-end justify-between gap-3">
              <div>
                <h2 id="users-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
                  {t("users")}
                </h2>
                <p className="text-sm text-slate-600 dark:text-slate-400">{t("usersHint")}</p>
              </div>
              <Input
                label={t("filter")}
                fieldClassName="w-64"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
              />
            </div>
            <Table caption={t("users")}>
              <THead>
                <SortHeader column="username" sort={userSort} onSort={setUserSort}>
                  {t("colUser")}
                </SortHeader>
                <SortHeader column="role" sort={userSort} onSort={setUserSort} className={COMPACT}>
                  {t("colRole")}
                </SortHeader>
                {QUOTA_KEYS.map((k) => (
                  <SortHeader key={k} column={k} sort={userSort} onSort={setUserSort} className={COMPACT}>
                    {tu(`short.${k}`)}
                  </SortHeader>
                ))}
                <Th className={COMPACT}>{tu("colActions")}</Th>
              </THead>
              <TBody>
                {users.length === 0 && (
                  <TableMessage colSpan={QUOTA_KEYS.length + 3}>{t("noUsers")}</TableMessage>
                )}
                {users.map((u) => (
                  <Tr key={u.id}>
                    <Td className="whitespace-nowrap">
                      <span className="font-medium">{u.username}</span>
                      {u.displayName !== u.username && (
                        <span className="block text-xs text-slate-500 dark:text-slate-400">
                          {u.displayName}
                        </span>
                      )}
                    </Td>
                    <Td className={`whitespace-nowrap ${COMPACT}`}>{tr(u.role)}</Td>
                    {QUOTA_KEYS.map((k) => (
                      <Td
                        key={k}
                        className={COMPACT}
                        title={u.source[k] === "role" ? t("fromRole") : undefined}
                      >
                        <QuotaCell used={u.usage[k]} limit={u.limits[k]} k={k} />
                      </Td>
                    ))}
                    <Td className={COMPACT}>
                      <Button
                        size="sm"
                        variant="secondary"
                        aria-label={t("editUserAria", { user: u.username })}
                        onClick={() =>
                          setEditing({ kind: "user", id: u.id, name: u.username, limits: u.own })
                        }
                      >
                        {tu("editLimits")}
                      </Button>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </section>
        </div>
      )}
      {editing && (
        <QuotaLimitsDialog
          open
          title={
            editing.kind === "role"
              ? t("roleLimitsTitle", { role: tr(editing.role) })
              : editing.kind === "group"
                ? t("groupLimitsTitle", { group: editing.name })
                : tu("userLimitsTitle", { user: editing.name })
          }
          description={editing.kind === "user" ? t("userLimitsHint") : undefined}
          limits={editing.limits}
          onClose={() => setEditing(null)}
          onSave={save}
        />
      )}
    </>
  );
}
