"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { FlavorView } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { Truncated } from "@/app/_components/truncated";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { useTRPC } from "@/app/_trpc/client";
import { FlavorFormDialog } from "./flavor-form-dialog";

type Open =
  { kind: "create" } | { kind: "edit"; flavor: FlavorView } | { kind: "delete"; flavor: FlavorView } | null;

export function FlavorsAdmin({
  allowed,
  isSuperAdm,
}: {
  allowed: { create: boolean; update: boolean; delete: boolean };
  isSuperAdm: boolean;
}) {
  const t = useTranslations("flavors");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const [open, setOpen] = useState<Open>(null);
  const [flash, setFlash] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const flavors = useQuery(trpc.flavors.list.queryOptions());
  // The groups the caller administers: their own flavors are the caller's to manage.
  const classes = useQuery(trpc.classes.list.queryOptions());
  const groupName = (id: number) => classes.data?.find((c) => c.id === id)?.name;
  const manages = (f: FlavorView) => (f.groupId === null ? isSuperAdm : groupName(f.groupId) !== undefined);
  const remove = useMutation(trpc.flavors.delete.mutationOptions());

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.flavors.list.queryKey() });

  function done(text: string) {
    setOpen(null);
    setFlash({ tone: "success", text });
    void refresh();
  }

  async function confirmDelete(flavor: FlavorView) {
    try {
      await remove.mutateAsync({ id: flavor.id });
      done(t("deleted", { name: flavor.name }));
    } catch (err) {
      // A flavor still in use: "This flavor is in use by 2 instance(s); delete or resize them first."
      setOpen(null);
      setFlash({ tone: "error", text: errorText(err) });
      void refresh();
    }
  }

  const openDialog = (next: Open) => {
    setFlash(null);
    setOpen(next);
  };
  const showActions = allowed.update || allowed.delete;
  const columns = showActions ? 5 : 4;

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          allowed.create && <Button onClick={() => openDialog({ kind: "create" })}>{t("newFlavor")}</Button>
        }
      />
      {flash && (
        <Alert tone={flash.tone} className="mb-4" data-testid="flash">
          {flash.text}
        </Alert>
      )}

      {flavors.isError && !flavors.data ? (
        <QueryError
          error={flavors.error}
          onRetry={() => void flavors.refetch()}
          retrying={flavors.isFetching}
        />
      ) : (
        <Table caption={t("caption")}>
          <THead>
            <Th>{t("colName")}</Th>
            <Th className="text-right">{t("colVcpus")}</Th>
            <Th className="text-right">{t("colMemory")}</Th>
            <Th className="text-right">{t("colDisk")}</Th>
            {showActions && <Th className="text-right">{t("colActions")}</Th>}
          </THead>
          <TBody>
            {flavors.isPending ? (
              <TableMessage colSpan={columns}>{tc("loading")}</TableMessage>
            ) : flavors.data.length === 0 ? (
              <TableMessage colSpan={columns}>{t("empty")}</TableMessage>
            ) : (
              flavors.data.map((f) => (
                <Tr key={f.id} data-testid="flavor-row">
                  <Td className="font-medium">
                    <Truncated text={f.name} />
                    <span className="block text-xs font-normal text-slate-500 dark:text-slate-400">
                      {f.groupId === null
                        ? t("publicFlavor")
                        : t("groupFlavor", { group: groupName(f.groupId) ?? String(f.groupId) })}
                    </span>
                  </Td>
                  <Td className="text-right tabular-nums">{f.vcpus}</Td>
                  <Td className="text-right tabular-nums">{f.memoryMiB}</Td>
                  <Td className="text-right tabular-nums">{f.diskGiB}</Td>
                  {showActions && (
                    <Td className="whitespace-nowrap text-right">
                      <div className="flex justify-end gap-1">
                        {allowed.update && manages(f) && (
                          <Button
                            size="sm"
                            variant="ghost"
                            onClick={() => openDialog({ kind: "edit", flavor: f })}
                          >
                            {t("edit")}
                          </Button>
                        )}
                        {allowed.delete && manages(f) && (
                          <Button
                            size="sm"
                            variant="ghost"
                            className="text-red-700 dark:text-red-400"
                            onClick={() => openDialog({ kind: "delete", flavor: f })}
                          >
                            {t("delete")}
                          </Button>
                        )}
                      </div>
                    </Td>
                  )}
                </Tr>
              ))
            )}
          </TBody>
        </Table>
      )}

      <FlavorFormDialog
        isSuperAdm={isSuperAdm}
        groups={classes.data ?? []}
        open={open?.kind === "create" || open?.kind === "edit"}
        flavor={open?.kind === "edit" ? open.flavor : null}
        onClose={() => setOpen(null)}
        onDone={done}
      />
      <Dialog
        open={open?.kind === "delete"}
        onClose={() => setOpen(null)}
        title={open?.kind === "delete" ? t("deleteTitle", { name: open.flavor.name }) : ""}
        description={t("deleteBody")}
      >
        <DialogActions>
          <Button variant="secondary" onClick={() => setOpen(null)}>
            {tc("cancel")}
          </Button>
          <Button
            variant="danger"
            busy={remove.isPending}
            onClick={() => open?.kind === "delete" && void confirmDelete(open.flavor)}
          >
            {t("deleteConfirm")}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
