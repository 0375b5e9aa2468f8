"use client";
// One table for one's own tokens and for everyone's (superAdm): name, public id, role, access, expiry,
// last use, and Revoke behind a confirmation.
import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import { roleRank, type AccountRole } from "@/common/roles";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Alert } from "@/app/_components/alert";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { useMutationErrorText } from "@/app/_components/query-error";
import { formatDateTime } from "@/app/_lib/format";
import type { ApiTokenView } from "@/app/_trpc/views";

type Row = ApiTokenView & { username?: string; userRole?: AccountRole };

export function TokenTable({
  rows,
  loading,
  empty,
  ownRole,
  showUser,
  revoking,
  onRevoke,
}: {
  rows: Row[] | undefined;
  loading: boolean;
  empty: string;
  /** The role tokens are capped by when it is the viewer's own list (the admin list shows each user's). */
  ownRole?: AccountRole;
  showUser?: boolean;
  revoking: boolean;
  onRevoke: (id: number) => Promise<unknown>;
}) {
  const t = useTranslations("apiTokens");
  const tr = useTranslations("roles");
  const tc = useTranslations("common");
  const locale = useLocale();
  const errorText = useMutationErrorText();
  const [confirm, setConfirm] = useState<Row | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cols = showUser ? 8 : 7;

  async function revoke() {
    if (!confirm) return;
    setError(null);
    try {
      await onRevoke(confirm.id);
      setConfirm(null);
    } catch (err) {
      setError(errorText(err));
      setConfirm(null);
    }
  }

  return (
    <>
      {error && (
        <Alert tone="error" className="mb-3">
          {error}
        </Alert>
      )}
      <Table caption={t("title")}>
        <THead>
          {showUser && <Th>{t("user")}</Th>}
          <Th>{t("name")}</Th>
          <Th>{t("prefix")}</Th>
          <Th>{t("role")}</Th>
          <Th>{t("access")}</Th>
          <Th>{t("expires")}</Th>
          <Th>{t("lastUsed")}</Th>
          <Th>
            <span className="sr-only">{t("revoke")}</span>
          </Th>
        </THead>
        <TBody>
          {loading && <TableMessage colSpan={cols}>{tc("loading")}</TableMessage>}
          {!loading && rows?.length === 0 && <TableMessage colSpan={cols}>{empty}</TableMessage>}
          {rows?.map((row) => {
            const cap = ownRole ?? row.userRole;
            const capped = cap !== undefined && roleRank(cap) < roleRank(row.role);
            return (
              <Tr key={row.id} data-testid="api-token-row">
                {showUser && <Td>{row.username}</Td>}
                <Td className="font-medium">{row.name}</Td>
                <Td className="font-mono text-xs">{`ect_${row.publicId}_…`}</Td>
                <Td>
                  {tr(row.role)}
                  {capped && (
                    <span className="block text-xs text-slate-500">{t("cappedTo", { role: tr(cap) })}</span>
                  )}
                </Td>
                <Td>
                  <Badge tone={row.readOnly ? "info" : "neutral"}>
                    {row.readOnly ? t("readOnlyBadge") : t("readWriteBadge")}
                  </Badge>
                </Td>
                <Td className="whitespace-nowrap">
                  {row.expired ? (
                    <Badge tone="warning">{t("expired")}</Badge>
                  ) : (
                    formatDateTime(row.expiresAt, locale)
                  )}
                </Td>
                <Td className="whitespace-nowrap">
                  {row.lastUsedAt ? (
                    <>
                      {formatDateTime(row.lastUsedAt, locale)}
                      {row.lastUsedIp && (
                        <span className="block text-xs text-slate-500">{row.lastUsedIp}</span>
                      )}
                    </>
                  ) : (
                    t("never")
                  )}
                </Td>
                <Td className="text-right">
                  <Button size="sm" variant="danger" onClick={() => setConfirm(row)}>
                    {t("revoke")}
                  </Button>
                </Td>
              </Tr>
            );
          })}
        </TBody>
      </Table>
      <ConfirmDialog
        open={confirm !== null}
        title={t("revokeTitle")}
        body={confirm ? t("revokeConfirm", { name: confirm.name }) : ""}
        confirmLabel={t("revoke")}
        busy={revoking}
        onConfirm={() => void revoke()}
        onClose={() => setConfirm(null)}
      />
    </>
  );
}
