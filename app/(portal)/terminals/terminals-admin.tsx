"use client";
// Terminals (docs/labs.md "Terminals"): every lab PC that enrolled as a thin client the caller may manage,
// whether it is online (heard from within 2 minutes), its lab, the desktop it shows and who is signed in
// at it; approve a new one into a lab (compare its code with the one on the PC's screen), edit, revoke,
// delete. The server decides again on every call.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { ActionsCell, AdminTable } from "@/app/(portal)/_components/admin-table";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { PageHeader } from "@/app/_components/page-header";
import { useMutationErrorText } from "@/app/_components/query-error";
import { Td, Tr } from "@/app/_components/table";
import { Truncated } from "@/app/_components/truncated";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_trpc/client";
import type { TerminalView } from "@/app/_trpc/views";
import { TerminalDialog } from "./terminal-dialog";

export type TerminalItem = TerminalView;

interface Allowed {
  approve: boolean;
  update: boolean;
  revoke: boolean;
  delete: boolean;
}

const STATE_TONE = { pending: "warning", approved: "success", revoked: "danger" } as const;

export function TerminalsAdmin({ allowed }: { allowed: Allowed }) {
  const t = useTranslations("terminals");
  const locale = useLocale();
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const list = useQuery(trpc.terminals.list.queryOptions(undefined, { refetchInterval: 5000 }));
  const [dialog, setDialog] = useState<{ mode: "approve" | "edit"; terminal: TerminalItem } | null>(null);
  const [confirm, setConfirm] = useState<{ action: "revoke" | "delete"; terminal: TerminalItem } | null>(
    null,
  );
  const [error, setError] = useState<string | null>(null);
  const onDone = {
    onSuccess: () => {
      setConfirm(null);
      setError(null);
      void list.refetch();
    },
    onError: (e: unknown) => setError(errorText(e)),
  };
  const hasActions = allowed.approve || allowed.update || allowed.revoke || allowed.delete;
  const revoke = useMutation(trpc.terminals.revoke.mutationOptions(onDone));
  const remove = useMutation(trpc.terminals.delete.mutationOptions(onDone));

  return (
    <>
      <PageHeader title={t("title")} description={t("intro")} />
      {error && (
        <Alert tone="error" className="mb-4">
          {error}
        </Alert>
      )}
      <AdminTable
        caption={t("title")}
        query={list}
        dense
        columns={[
          { label: t("name") },
          { label: t("state") },
          { label: t("lab") },
          { label: t("desktop") },
          { label: t("signedIn") },
          { label: t("contact") },
          hasActions && { label: t("actions"), className: "text-right" },
        ]}
        empty={t("empty")}
        row={(x) => (
          <Tr key={x.id} data-testid="terminal-row" data-terminal-id={x.id}>
            <Td className="font-medium">
              <Truncated text={x.name} />
              <span className="block whitespace-nowrap text-xs font-normal text-slate-500 dark:text-slate-400">
                {t("mac")} {x.mac}
              </span>
              <span className="block whitespace-nowrap text-xs font-normal text-slate-500 dark:text-slate-400">
                {t("code")} <code data-testid="terminal-code">{x.id.slice(0, 8)}</code>
              </span>
            </Td>
            <Td>
              <div className="flex flex-wrap gap-1">
                <Badge tone={STATE_TONE[x.state]}>{t(`states.${x.state}`)}</Badge>
                <Badge tone={x.online ? "success" : "neutral"}>{x.online ? t("online") : t("offline")}</Badge>
              </div>
            </Td>
            <Td>{x.lab ? <Truncated text={x.lab.name} className="max-w-[10rem]" /> : t("nobody")}</Td>
            <Td data-testid="terminal-desktop">
              {x.desktop ? (
                <>
                  <Truncated text={x.desktop.name} className="max-w-[11rem]" />
                  {x.seatInstanceId && (
                    <span className="block text-xs text-slate-500 dark:text-slate-400">{t("seatShown")}</span>
                  )}
                </>
              ) : (
                t("nobody")
              )}
            </Td>
            <Td data-testid="terminal-user">
              {x.signedIn ? <Truncated text={x.signedIn.username} className="max-w-[10rem]" /> : t("nobody")}
            </Td>
            <Td className="whitespace-nowrap text-sm">
              {x.lastContactAt ? formatDateTime(x.lastContactAt, locale, "short") : t("never")}
              {x.lastIp && (
                <span className="block text-xs text-slate-500 dark:text-slate-400">{x.lastIp}</span>
              )}
            </Td>
            {hasActions && (
              <ActionsCell
                stacked
                actions={[
                  x.state === "pending" &&
                    allowed.approve && {
                      label: t("approve"),
                      variant: "primary",
                      onClick: () => setDialog({ mode: "approve", terminal: x }),
                    },
                  x.state === "approved" &&
                    allowed.update && {
                      label: t("edit"),
                      variant: "secondary",
                      onClick: () => setDialog({ mode: "edit", terminal: x }),
                    },
                  x.state !== "revoked" &&
                    allowed.revoke && {
                      label: t("revoke"),
                      variant: "danger",
                      onClick: () => setConfirm({ action: "revoke", terminal: x }),
                    },
                  allowed.delete && {
                    label: t("delete"),
                    className: "text-red-700! dark:text-red-400!",
                    onClick: () => setConfirm({ action: "delete", terminal: x }),
                  },
                ]}
              />
            )}
          </Tr>
        )}
      />
      <TerminalDialog
        open={dialog !== null}
        mode={dialog?.mode ?? "edit"}
        terminal={dialog?.terminal ?? null}
        onClose={() => setDialog(null)}
        onSaved={() => {
          setDialog(null);
          void list.refetch();
        }}
      />
      <ConfirmDialog
        open={confirm !== null}
        title={confirm ? t(confirm.action) : ""}
        body={confirm ? t(`${confirm.action}Confirm`, { name: confirm.terminal.name }) : ""}
        confirmLabel={confirm ? t(confirm.action) : ""}
        busy={revoke.isPending || remove.isPending}
        onConfirm={() => {
          if (!confirm) return;
          if (confirm.action === "revoke") revoke.mutate({ id: confirm.terminal.id });
          else remove.mutate({ id: confirm.terminal.id });
        }}
        onClose={() => setConfirm(null)}
      />
    </>
  );
}
