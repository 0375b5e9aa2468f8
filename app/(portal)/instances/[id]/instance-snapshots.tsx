"use client";
// The instance's disk snapshots. Revert needs the instance stopped (it replaces the disk); the
// button says so instead of powering the guest off unasked. Polls while a snapshot is being worked on.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import type { InstanceView, SnapshotView } from "@/app/_trpc/views";
import { createSnapshotInput } from "@/common/snapshots";
import { Badge, type BadgeTone } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Card } from "@/app/_components/card";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { Truncated } from "@/app/_components/truncated";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { formatDateTime } from "@/app/_lib/format";
import { formatBytes } from "@/app/_lib/units";
import { useMessage } from "@/app/_lib/render-message";
import { useTRPC } from "@/app/_trpc/client";
import type { ActionMessage } from "../instance-actions";
import { isSettled } from "@/common/instance-states";

const TONE: Record<SnapshotView["state"], BadgeTone> = {
  creating: "info",
  ready: "success",
  reverting: "info",
  deleting: "warning",
  deleted: "neutral",
  error: "danger",
};
const BUSY = new Set(["creating", "reverting", "deleting"]);

interface Props {
  instance: InstanceView;
  canManage: boolean;
  onMessage: (m: ActionMessage | null) => void;
}

export function InstanceSnapshots({ instance, canManage, onMessage }: Props) {
  const t = useTranslations("instanceStorage");
  const render = useMessage();
  const tc = useTranslations("common");
  const locale = useLocale();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  // Always open: the form sits in the panel. A wrong name is said beside the field, with what is allowed.
  const form = useFormDialog({ open: true, initial: () => ({ name: "" }) });
  const { name } = form.values;
  const [confirm, setConfirm] = useState<{ kind: "revert" | "delete"; snap: SnapshotView } | null>(null);
  const list = useQuery(
    trpc.snapshots.list.queryOptions(
      { instanceId: instance.id },
      {
        refetchInterval: (q) => (q.state.data?.some((s) => BUSY.has(s.state)) ? 1500 : 10_000),
      },
    ),
  );
  const create = useMutation(trpc.snapshots.create.mutationOptions());
  const revert = useMutation(trpc.snapshots.revert.mutationOptions());
  const remove = useMutation(trpc.snapshots.delete.mutationOptions());
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.snapshots.list.queryKey({ instanceId: instance.id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.instances.get.queryKey({ id: instance.id }) }),
    ]);
  const stopped = instance.state === "STOPPED" && !instance.task;

  const onCreate = form.handleSubmit(async () => {
    onMessage(null);
    const checked = form.check(
      createSnapshotInput,
      { instanceId: instance.id, name },
      { format: { name: form.tv("snapshotNameFormat") } },
    );
    if (!checked) return;
    try {
      const made = await create.mutateAsync(checked);
      form.set("name", "");
      onMessage({ tone: "success", text: t("snapshotRequested", { name: made.name }) });
    } finally {
      void refresh();
    }
  });

  async function onConfirm() {
    if (!confirm) return;
    const { kind, snap } = confirm;
    try {
      if (kind === "revert") await revert.mutateAsync({ id: snap.id });
      else await remove.mutateAsync({ id: snap.id });
      onMessage({
        tone: "success",
        text: t(kind === "revert" ? "revertRequested" : "snapshotDeleteRequested", { name: snap.name }),
      });
    } catch (err) {
      onMessage({ tone: "error", text: errorText(err) });
    } finally {
      setConfirm(null);
      void refresh();
    }
  }

  const columns = canManage ? 5 : 4;
  return (
    <Card aria-labelledby="instance-snapshots-heading" data-testid="snapshots-panel">
      <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2
            id="instance-snapshots-heading"
            className="text-base font-semibold text-slate-900 dark:text-slate-100"
          >
            {t("snapshots")}
          </h2>
          <p className="text-xs text-slate-500 dark:text-slate-400">{t("snapshotsHint")}</p>
        </div>
        {canManage && (
          <form onSubmit={onCreate} noValidate className="flex items-start gap-2">
            <Input
              label={t("snapshotName")}
              hideLabel
              placeholder={t("snapshotName")}
              value={name}
              onChange={(e) => form.set("name", e.target.value)}
              error={form.fieldErrors.name}
              fieldClassName="w-60"
            />
            <Button
              type="submit"
              size="sm"
              busy={create.isPending}
              disabled={!name.trim() || !isSettled(instance)}
            >
              {t("takeSnapshot")}
            </Button>
          </form>
        )}
      </div>
      <div className="mb-3 empty:hidden">
        <FormError message={form.error} />
      </div>
      {list.isError && (
        <QueryError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      )}
      <Table caption={t("snapshots")}>
        <THead>
          <Th>{t("colName")}</Th>
          <Th>{t("colState")}</Th>
          <Th>{t("colSize")}</Th>
          <Th>{t("colCreated")}</Th>
          {canManage && <Th className="text-right">{t("colActions")}</Th>}
        </THead>
        <TBody>
          {list.isPending ? (
            <TableMessage colSpan={columns}>{tc("loading")}</TableMessage>
          ) : !list.data?.length ? (
            <TableMessage colSpan={columns}>{t("snapshotsEmpty")}</TableMessage>
          ) : (
            list.data.map((s) => (
              <Tr key={s.id} data-testid="snapshot-row">
                <Td>
                  <div className="font-medium">
                    <Truncated text={s.name} />
                  </div>
                  {s.errorReason && (
                    <div className="text-xs text-red-700 dark:text-red-400">
                      {render(s.errorMessage, s.errorReason)}
                    </div>
                  )}
                </Td>
                <Td>
                  <Badge tone={TONE[s.state]}>{t(`snapshotState.${s.state}`)}</Badge>
                </Td>
                <Td className="whitespace-nowrap">
                  {s.sizeBytes === null ? "—" : formatBytes(s.sizeBytes, locale)}
                </Td>
                <Td className="whitespace-nowrap">
                  {formatDateTime(s.createdAt, locale, "short")}
                  {s.createdBy ? ` · ${s.createdBy}` : ""}
                </Td>
                {canManage && (
                  <Td className="whitespace-nowrap text-right">
                    <Button
                      size="sm"
                      variant="secondary"
                      disabled={s.state !== "ready" || !stopped}
                      title={stopped ? undefined : t("revertNeedsStop")}
                      onClick={() => {
                        onMessage(null);
                        setConfirm({ kind: "revert", snap: s });
                      }}
                    >
                      {t("revert")}
                    </Button>{" "}
                    <Button
                      size="sm"
                      variant="ghost"
                      className="text-red-700 dark:text-red-400"
                      disabled={s.state !== "ready" && s.state !== "error"}
                      onClick={() => {
                        onMessage(null);
                        setConfirm({ kind: "delete", snap: s });
                      }}
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
      {canManage && !stopped && (
        <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">{t("revertNeedsStop")}</p>
      )}
      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        title={
          confirm
            ? t(confirm.kind === "revert" ? "revertTitle" : "snapshotDeleteTitle", {
                name: confirm.snap.name,
              })
            : ""
        }
        description={confirm?.kind === "revert" ? t("revertBody") : t("snapshotDeleteBody")}
      >
        <DialogActions>
          <Button variant="secondary" onClick={() => setConfirm(null)}>
            {tc("cancel")}
          </Button>
          <Button
            variant="danger"
            busy={revert.isPending || remove.isPending}
            onClick={() => void onConfirm()}
          >
            {confirm?.kind === "revert" ? t("revert") : t("delete")}
          </Button>
        </DialogActions>
      </Dialog>
    </Card>
  );
}
