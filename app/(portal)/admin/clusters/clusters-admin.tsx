"use client";
// Clusters by kind (docs/architecture.md, "Clusters"): what each is for and how many hosts it holds.
// Hosts are moved in and out on the Hosts page.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { ClusterView } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { ActionsCell, AdminTable } from "@/app/(portal)/_components/admin-table";
import { Button } from "@/app/_components/button";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { PageHeader } from "@/app/_components/page-header";
import { useMutationErrorText } from "@/app/_components/query-error";
import { Truncated } from "@/app/_components/truncated";
import { Td, Tr } from "@/app/_components/table";
import { useTRPC } from "@/app/_trpc/client";
import { ClusterFormDialog, kindLabel } from "./cluster-form-dialog";

type Open =
  | { kind: "create" }
  | { kind: "rename"; cluster: ClusterView }
  | { kind: "delete"; cluster: ClusterView }
  | null;

export function ClustersAdmin({
  allowed,
}: {
  allowed: { create: boolean; rename: boolean; delete: boolean };
}) {
  const t = useTranslations("clusters");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const [open, setOpen] = useState<Open>(null);
  const [flash, setFlash] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const clusters = useQuery(trpc.clusters.list.queryOptions());
  const remove = useMutation(trpc.clusters.delete.mutationOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.clusters.list.queryKey() });

  function done(text: string) {
    setOpen(null);
    setFlash({ tone: "success", text });
    void refresh();
  }

  async function confirmDelete(cluster: ClusterView) {
    try {
      await remove.mutateAsync({ id: cluster.id });
      done(t("deletedDone", { name: cluster.name }));
    } catch (err) {
      // Not empty: "Cluster lab-1 still has 3 hosts. Move them out before deleting it."
      setOpen(null);
      setFlash({ tone: "error", text: errorText(err) });
      void refresh();
    }
  }

  const showActions = allowed.rename || allowed.delete;

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          allowed.create && (
            <Button
              onClick={() => {
                setFlash(null);
                setOpen({ kind: "create" });
              }}
            >
              {t("add")}
            </Button>
          )
        }
      />
      {flash && (
        <Alert tone={flash.tone} className="mb-4" data-testid="flash">
          {flash.text}
        </Alert>
      )}
      <AdminTable
        caption={t("caption")}
        query={clusters}
        columns={[
          { label: t("colName") },
          { label: t("colKind") },
          { label: t("colHosts"), className: "text-right" },
          { label: t("colDescription") },
          showActions && { label: t("colActions"), className: "text-right" },
        ]}
        empty={t("empty")}
        row={(c) => (
          <Tr key={c.id} data-testid="cluster-row">
            <Td className="font-medium">
              <Truncated text={c.name} />
            </Td>
            <Td className="whitespace-nowrap">
              <Badge tone={c.kind === "servers" ? "neutral" : c.kind === "desktops" ? "info" : "warning"}>
                {kindLabel(t, c.kind)}
              </Badge>
            </Td>
            <Td className="whitespace-nowrap text-right tabular-nums">
              {t("hostCount", { count: c.hostCount })}
            </Td>
            <Td className="text-sm text-slate-600 dark:text-slate-300">
              <Truncated text={c.description} className="max-w-[24rem]" />
            </Td>
            {showActions && (
              <ActionsCell
                actions={[
                  allowed.rename && {
                    label: t("rename"),
                    onClick: () => setOpen({ kind: "rename", cluster: c }),
                  },
                  allowed.delete && {
                    label: t("delete"),
                    className: "text-red-700! dark:text-red-400!",
                    onClick: () => setOpen({ kind: "delete", cluster: c }),
                  },
                ]}
              />
            )}
          </Tr>
        )}
      />

      <ClusterFormDialog
        open={open?.kind === "create" || open?.kind === "rename"}
        cluster={open?.kind === "rename" ? open.cluster : null}
        onClose={() => setOpen(null)}
        onDone={done}
      />
      <ConfirmDialog
        open={open?.kind === "delete"}
        title={open?.kind === "delete" ? t("deleteTitle", { name: open.cluster.name }) : ""}
        body={t("deleteExplain")}
        confirmLabel={t("delete")}
        busy={remove.isPending}
        onConfirm={() => open?.kind === "delete" && void confirmDelete(open.cluster)}
        onClose={() => setOpen(null)}
      />
    </>
  );
}
