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
import { Button } from "@/app/_components/button";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { EmptyState } from "@/app/_components/empty-state";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
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
  const tc = useTranslations("common");
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
      {list.isError && !list.data ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      ) : list.data?.length === 0 ? (
        <EmptyState title={t("empty")} />
      ) : (
        <Table caption={t("title")}>
          <THead>
            <Th>{t("name")}</Th>
            <Th>{t("state")}</Th>
            <Th>{t("lab")}</Th>
            <Th>{t("desktop")}</Th>
            <Th>{t("signedIn")}</Th>
            <Th>{t("contact")}</Th>
            <Th>{t("actions")}</Th>
          </THead>
          <TBody>
            {list.isPending ? (
              <TableMessage colSpan={7}>{tc("loading")}</TableMessage>
            ) : (
              list.data.map((x) => (
                <Tr key={x.id} data-testid="terminal-row" data-terminal-id={x.id}>
                  <Td className="font-medium">
                    <Truncated text={x.name} />
                    <span className="block text-xs text-slate-500 dark:text-slate-400">
                      {t("mac")} {x.mac} · {t("code")}{" "}
                      <code data-testid="terminal-code">{x.id.slice(0, 8)}</code>
                    </span>
                  </Td>
                  <Td>
                    <Badge tone={STATE_TONE[x.state]}>{t(`states.${x.state}`)}</Badge>{" "}
                    <Badge tone={x.online ? "success" : "neutral"}>
                      {x.online ? t("online") : t("offline")}
                    </Badge>
                  </Td>
                  <Td>{x.lab ? <Truncated text={x.lab.name} /> : t("nobody")}</Td>
                  <Td data-testid="terminal-desktop">
                    {x.desktop ? (
                      <>
                        <Truncated text={x.desktop.name} />
                        {x.seatInstanceId && (
                          <span className="ml-1 text-xs text-slate-500">({t("seatShown")})</span>
                        )}
                      </>
                    ) : (
                      t("nobody")
                    )}
                  </Td>
                  <Td data-testid="terminal-user">{x.signedIn ? x.signedIn.username : t("nobody")}</Td>
                  <Td className="text-sm">
                    {x.lastContactAt ? formatDateTime(x.lastContactAt, locale, "short") : t("never")}
                    {x.lastIp && <span className="block text-xs text-slate-500">{x.lastIp}</span>}
                  </Td>
                  <Td>
                    <div className="flex flex-wrap gap-2">
                      {x.state === "pending" && allowed.approve && (
                        <Button size="sm" onClick={() => setDialog({ mode: "approve", terminal: x })}>
                          {t("approve")}
                        </Button>
                      )}
                      {x.state === "approved" && allowed.update && (
                        <Button
                          size="sm"
                          variant="secondary"
                          onClick={() => setDialog({ mode: "edit", terminal: x })}
                        >
                          {t("edit")}
                        </Button>
                      )}
                      {x.state !== "revoked" && allowed.revoke && (
                        <Button
                          size="sm"
                          variant="danger"
                          onClick={() => setConfirm({ action: "revoke", terminal: x })}
                        >
                          {t("revoke")}
                        </Button>
                      )}
                      {allowed.delete && (
                        <Button
                          size="sm"
                          variant="ghost"
                          onClick={() => setConfirm({ action: "delete", terminal: x })}
                        >
                          {t("delete")}
                        </Button>
                      )}
                    </div>
                  </Td>
                </Tr>
              ))
            )}
          </TBody>
        </Table>
      )}
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
