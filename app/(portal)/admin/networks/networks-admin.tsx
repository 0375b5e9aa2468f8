"use client";
// The networks instances attach to: their address space, where they run, and how full they are.
// Usage moves as instances come and go, so the list refreshes every 10 s.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useMemo, useState } from "react";
import type { NetworkView } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { Truncated } from "@/app/_components/truncated";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { downloadText } from "@/app/_lib/download-text";
import { compactDate } from "@/app/_lib/format";
import { useTRPC, useTRPCClient } from "@/app/_trpc/client";
import { HostsText, KindBadge, UsageCell, VlanText } from "./network-cells";
import { NetworkFormDialog } from "./network-form-dialog";

const REFRESH_MS = 10_000;

type Open = { kind: "create" } | { kind: "delete"; network: NetworkView } | null;

export function NetworksAdmin({
  allowed,
}: {
  allowed: { create: boolean; delete: boolean; exportUsage: boolean };
}) {
  const t = useTranslations("networks");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const [open, setOpen] = useState<Open>(null);
  const [flash, setFlash] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [exporting, setExporting] = useState(false);
  const networks = useQuery(trpc.networks.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const remove = useMutation(trpc.networks.delete.mutationOptions());
  const hostNames = useMemo(
    () => (hosts.data ? new Map(hosts.data.map((h) => [h.id, h.name])) : null),
    [hosts.data],
  );

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.networks.list.queryKey() });

  function done(text: string) {
    setOpen(null);
    setFlash({ tone: "success", text });
    void refresh();
  }

  async function confirmDelete(network: NetworkView) {
    try {
      await remove.mutateAsync({ id: network.id });
      done(t("deleted", { name: network.name }));
    } catch (err) {
      // Still in use: "lab still has 1 address in use (instances or infrastructure). …"
      setOpen(null);
      setFlash({ tone: "error", text: errorText(err) });
      void refresh();
    }
  }

  async function exportCsv() {
    setExporting(true);
    setFlash(null);
    try {
      downloadText(await client.networks.exportUsageCsv.query(), `ip-usage-${compactDate()}.csv`);
    } catch (err) {
      setFlash({ tone: "error", text: t("exportFailed", { message: errorText(err) }) });
    } finally {
      setExporting(false);
    }
  }

  const openDialog = (next: Open) => {
    setFlash(null);
    setOpen(next);
  };
  const columns = allowed.delete ? 8 : 7;

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          <>
            {allowed.exportUsage && (
              <Button variant="secondary" busy={exporting} onClick={() => void exportCsv()}>
                {t("exportCsv")}
              </Button>
            )}
            {allowed.create && (
              <Button onClick={() => openDialog({ kind: "create" })}>{t("newNetwork")}</Button>
            )}
          </>
        }
      />
      {flash && (
        <Alert tone={flash.tone} className="mb-4" data-testid="flash">
          {flash.text}
        </Alert>
      )}
      {networks.isError && networks.data && (
        <p className="mb-3 text-sm text-amber-700 dark:text-amber-300">{t("refreshFailed")}</p>
      )}

      {networks.isError && !networks.data ? (
        <QueryError
          error={networks.error}
          onRetry={() => void networks.refetch()}
          retrying={networks.isFetching}
        />
      ) : (
        <Table caption={t("caption")}>
          <THead>
            <Th>{t("colName")}</Th>
            <Th>{t("colAddressing")}</Th>
            <Th>{t("colKind")}</Th>
            <Th>{t("colVlan")}</Th>
            <Th>{t("colNat")}</Th>
            <Th>{t("colHosts")}</Th>
            <Th>{t("colUsage")}</Th>
            {allowed.delete && <Th className="text-right">{t("colActions")}</Th>}
          </THead>
          <TBody>
            {networks.isPending ? (
              <TableMessage colSpan={columns}>{tc("loading")}</TableMessage>
            ) : networks.data.length === 0 ? (
              <TableMessage colSpan={columns}>
                <span className="block font-medium text-slate-700 dark:text-slate-200">{t("empty")}</span>
                {allowed.create && <span className="block">{t("emptyHint")}</span>}
              </TableMessage>
            ) : (
              networks.data.map((n) => (
                <Tr key={n.id} data-testid="network-row">
                  <Td className="whitespace-nowrap font-medium">
                    <Link
                      href={`/admin/networks/${n.id}`}
                      className="text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      <Truncated text={n.name} />
                    </Link>
                  </Td>
                  <Td className="whitespace-nowrap font-mono text-xs">
                    <span className="block">{n.cidr}</span>
                    <span className="block text-slate-500 dark:text-slate-400">
                      {t("gatewayShort", { gateway: n.gateway })}
                    </span>
                  </Td>
                  <Td>
                    <KindBadge kind={n.kind} />
                  </Td>
                  <Td className="whitespace-nowrap">
                    <VlanText network={n} />
                  </Td>
                  <Td>{n.nat ? tc("yes") : tc("no")}</Td>
                  <Td className="min-w-20 max-w-48">
                    <HostsText network={n} hostNames={hostNames} />
                  </Td>
                  <Td>
                    <UsageCell usage={n.usage} />
                  </Td>
                  {allowed.delete && (
                    <Td className="text-right">
                      <Button
                        size="sm"
                        variant="ghost"
                        className="text-red-700 dark:text-red-400"
                        onClick={() => openDialog({ kind: "delete", network: n })}
                      >
                        {t("delete")}
                      </Button>
                    </Td>
                  )}
                </Tr>
              ))
            )}
          </TBody>
        </Table>
      )}

      <NetworkFormDialog open={open?.kind === "create"} onClose={() => setOpen(null)} onDone={done} />
      <Dialog
        open={open?.kind === "delete"}
        onClose={() => setOpen(null)}
        title={open?.kind === "delete" ? t("deleteTitle", { name: open.network.name }) : ""}
        description={t("deleteBody")}
      >
        <DialogActions>
          <Button variant="secondary" onClick={() => setOpen(null)}>
            {tc("cancel")}
          </Button>
          <Button
            variant="danger"
            busy={remove.isPending}
            onClick={() => open?.kind === "delete" && void confirmDelete(open.network)}
          >
            {t("deleteConfirm")}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
