"use client";
// Data volumes of this instance's owner on this instance's host — attached here or free to attach.
// Attaching to a running instance hot-plugs the disk (the guest sees a new virtio disk); detaching
// waits for the guest to let go. A volume is deleted only when detached.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { z } from "zod";
import type { InstanceView, VolumeView } from "@/app/_trpc/views";
import { volumeNameSchema } from "@/common/volumes";
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
import { useMessage } from "@/app/_lib/render-message";
import { useTRPC } from "@/app/_trpc/client";
import type { ActionMessage } from "../instance-actions";
import { isSettled } from "@/common/instance-states";

const TONE: Record<VolumeView["state"], BadgeTone> = {
  creating: "info",
  available: "neutral",
  attaching: "info",
  attached: "success",
  detaching: "info",
  deleting: "warning",
  deleted: "neutral",
  error: "danger",
};
const BUSY = new Set(["creating", "attaching", "detaching", "deleting"]);

interface Props {
  instance: InstanceView;
  canManage: boolean;
  onMessage: (m: ActionMessage | null) => void;
}

export function InstanceVolumes({ instance, canManage, onMessage }: Props) {
  const t = useTranslations("instanceStorage");
  const render = useMessage();
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  // Always open: the form sits in the panel. Errors go beside the field; the size's upper limit is the
  // server's (a per-user quota), so it comes back from there.
  const form = useFormDialog({ open: true, initial: () => ({ name: "", sizeGiB: "1" }) });
  const { name, sizeGiB: size } = form.values;
  const [deleting, setDeleting] = useState<VolumeView | null>(null);
  const list = useQuery(
    trpc.volumes.list.queryOptions(
      { instanceId: instance.id },
      {
        refetchInterval: (q) => (q.state.data?.some((v) => BUSY.has(v.state)) ? 1500 : 10_000),
      },
    ),
  );
  const create = useMutation(trpc.volumes.create.mutationOptions());
  const attach = useMutation(trpc.volumes.attach.mutationOptions());
  const detach = useMutation(trpc.volumes.detach.mutationOptions());
  const remove = useMutation(trpc.volumes.delete.mutationOptions());
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.volumes.list.queryKey({ instanceId: instance.id }) });
  const settled = isSettled(instance);

  async function run(work: () => Promise<unknown>, success: string) {
    onMessage(null);
    try {
      await work();
      onMessage({ tone: "success", text: success });
    } catch (err) {
      onMessage({ tone: "error", text: errorText(err) });
    } finally {
      void refresh();
    }
  }

  const onCreate = form.handleSubmit(async () => {
    onMessage(null);
    const checked = form.check(
      z.object({ name: volumeNameSchema }),
      { name },
      { format: { name: form.tv("volumeNameFormat") } },
    );
    if (!checked) return;
    try {
      await create.mutateAsync({ instanceId: instance.id, name: checked.name, sizeGiB: Number(size) });
      onMessage({ tone: "success", text: t("volumeRequested", { name: checked.name }) });
      form.set("name", "");
    } finally {
      void refresh();
    }
  });

  const columns = canManage ? 4 : 3;
  return (
    <Card aria-labelledby="instance-volumes-heading" data-testid="volumes-panel">
      <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2
            id="instance-volumes-heading"
            className="text-base font-semibold text-slate-900 dark:text-slate-100"
          >
            {t("volumes")}
          </h2>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            {t("volumesHint", { host: instance.host?.name ?? "—" })}
          </p>
        </div>
        {canManage && instance.host && (
          <form onSubmit={onCreate} noValidate className="flex flex-wrap items-end gap-2">
            <Input
              label={t("volumeName")}
              hideLabel
              placeholder={t("volumeName")}
              value={name}
              onChange={(e) => form.set("name", e.target.value)}
              error={form.fieldErrors.name}
              fieldClassName="w-48"
            />
            <Input
              label={t("volumeSize")}
              type="number"
              min={1}
              step={1}
              inputMode="numeric"
              value={size}
              onChange={(e) => form.set("sizeGiB", e.target.value)}
              error={form.fieldErrors.sizeGiB}
              fieldClassName="w-28"
            />
            <Button
              type="submit"
              size="sm"
              busy={create.isPending}
              disabled={!name.trim() || !(Number(size) >= 1)}
            >
              {t("createVolume")}
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
      <Table caption={t("volumes")}>
        <THead>
          <Th>{t("colName")}</Th>
          <Th>{t("colSizeGiB")}</Th>
          <Th>{t("colState")}</Th>
          {canManage && <Th className="text-right">{t("colActions")}</Th>}
        </THead>
        <TBody>
          {list.isPending ? (
            <TableMessage colSpan={columns}>{tc("loading")}</TableMessage>
          ) : !list.data?.length ? (
            <TableMessage colSpan={columns}>{t("volumesEmpty")}</TableMessage>
          ) : (
            list.data.map((v) => {
              const here = v.instance?.id === instance.id;
              return (
                <Tr key={v.id} data-testid="volume-row">
                  <Td>
                    <div className="font-medium">
                      <Truncated text={v.name} />
                    </div>
                    {v.instance && !here && (
                      <div className="text-xs text-slate-500">
                        {t("attachedElsewhere", { name: v.instance.name })}
                      </div>
                    )}
                    {v.errorReason && (
                      <div className="text-xs text-red-700 dark:text-red-400">
                        {render(v.errorMessage, v.errorReason)}
                      </div>
                    )}
                  </Td>
                  <Td className="whitespace-nowrap">{v.sizeGiB} GiB</Td>
                  <Td>
                    <Badge tone={TONE[v.state]}>{t(`volumeState.${v.state}`)}</Badge>
                  </Td>
                  {canManage && (
                    <Td className="whitespace-nowrap text-right">
                      {v.state === "available" && (
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={!settled}
                          onClick={() =>
                            void run(
                              () => attach.mutateAsync({ id: v.id, instanceId: instance.id }),
                              t("attachRequested", { name: v.name }),
                            )
                          }
                        >
                          {t("attach")}
                        </Button>
                      )}
                      {v.state === "attached" && here && (
                        <Button
                          size="sm"
                          variant="secondary"
                          onClick={() =>
                            void run(
                              () => detach.mutateAsync({ id: v.id }),
                              t("detachRequested", { name: v.name }),
                            )
                          }
                        >
                          {t("detach")}
                        </Button>
                      )}{" "}
                      {(v.state === "available" || v.state === "error") && (
                        <Button
                          size="sm"
                          variant="ghost"
                          className="text-red-700 dark:text-red-400"
                          onClick={() => {
                            onMessage(null);
                            setDeleting(v);
                          }}
                        >
                          {t("delete")}
                        </Button>
                      )}
                    </Td>
                  )}
                </Tr>
              );
            })
          )}
        </TBody>
      </Table>
      <Dialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        title={deleting ? t("volumeDeleteTitle", { name: deleting.name }) : ""}
        description={t("volumeDeleteBody")}
      >
        <DialogActions>
          <Button variant="secondary" onClick={() => setDeleting(null)}>
            {tc("cancel")}
          </Button>
          <Button
            variant="danger"
            busy={remove.isPending}
            onClick={() => {
              const v = deleting;
              setDeleting(null);
              if (v)
                void run(
                  () => remove.mutateAsync({ id: v.id }),
                  t("volumeDeleteRequested", { name: v.name }),
                );
            }}
          >
            {t("delete")}
          </Button>
        </DialogActions>
      </Dialog>
    </Card>
  );
}
