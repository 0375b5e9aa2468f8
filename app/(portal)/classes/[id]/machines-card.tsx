"use client";
// The machines of the class's members, live (the class query refreshes like the instances list), with
// the instance actions the teacher may take, "Give to…" another member, and the deployments made with
// "Create one machine per student", each removable as a whole.
import { useMutation } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import type { ClassDetailView, InstanceView } from "@/app/_trpc/views";
import { Button } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useMutationErrorText } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { Truncated } from "@/app/_components/truncated";
import { formatDateTime } from "@/app/_lib/format";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import { InstanceActions, type InstanceActionPermissions } from "../../instances/instance-actions";
import { InstanceStatus } from "../../instances/instance-status";
import type { Flash } from "./class-detail";

interface Props {
  detail: ClassDetailView;
  allowed: InstanceActionPermissions;
  onFlash: (f: Flash) => void;
  onChanged: () => Promise<unknown>;
}

export function MachinesCard({ detail, allowed, onFlash, onChanged }: Props) {
  const t = useTranslations("classes");
  const ti = useTranslations("instances");
  const tc = useTranslations("common");
  const locale = useLocale();
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [assigning, setAssigning] = useState<InstanceView | null>(null);
  const [undeploying, setUndeploying] = useState<string | null>(null);
  const undeploy = useMutation(trpc.classes.undeploy.mutationOptions());

  async function confirmUndeploy(batchId: string) {
    try {
      const res = await undeploy.mutateAsync({ id: detail.id, batchId });
      onFlash({ tone: "success", text: t("undeployed", { count: res.requested, skipped: res.skipped }) });
    } catch (err) {
      onFlash({ tone: "error", text: errorText(err) });
    } finally {
      setUndeploying(null);
      void onChanged();
    }
  }

  return (
    <Card>
      <CardHeader title={t("machinesTitle", { count: detail.machines.length })} />
      <Table caption={t("machinesCaption")}>
        <THead>
          <Th>{t("colMachine")}</Th>
          <Th>{t("colOwner")}</Th>
          <Th>{t("colState")}</Th>
          <Th>{t("colImageFlavor")}</Th>
          <Th className="text-right">{t("colActions")}</Th>
        </THead>
        <TBody>
          {detail.machines.length === 0 ? (
            <TableMessage colSpan={5}>{t("noMachines")}</TableMessage>
          ) : (
            detail.machines.map((i) => (
              <Tr key={i.id} data-testid="class-machine-row">
                <Td className="whitespace-nowrap font-medium">
                  <Link
                    href={`/instances/${i.id}`}
                    className="text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    <Truncated text={i.name} className="max-w-[12rem]" />
                  </Link>
                </Td>
                <Td>{i.owner.username}</Td>
                <Td>
                  <InstanceStatus instance={i} />
                </Td>
                <Td className="min-w-36">
                  <Truncated text={i.image.name} className="max-w-[10rem]" />
                  <span className="block text-xs text-slate-500 dark:text-slate-400">
                    {i.flavor.name} · {ti("size", { vcpus: i.vcpus, memoryMiB: String(i.memoryMiB) })}
                  </span>
                </Td>
                <Td className="text-right">
                  <div className="flex flex-wrap items-center justify-end gap-1">
                    <InstanceActions instance={i} allowed={allowed} onMessage={onFlash} />
                    <Button
                      size="sm"
                      variant="ghost"
                      className="whitespace-nowrap"
                      aria-label={t("assignLabel", { name: i.name })}
                      onClick={() => {
                        onFlash(null);
                        setAssigning(i);
                      }}
                    >
                      {t("assign")}
                    </Button>
                  </div>
                </Td>
              </Tr>
            ))
          )}
        </TBody>
      </Table>

      {detail.deployments.length > 0 && (
        <div className="mt-5">
          <h3 className="mb-2 text-sm font-semibold">{t("deploymentsTitle")}</h3>
          <ul className="space-y-2">
            {detail.deployments.map((d) => (
              <li
                key={d.batchId}
                data-testid="deployment"
                className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm dark:border-slate-700"
              >
                <span>
                  {t("deploymentLine", { count: d.machines, when: formatDateTime(d.createdAt, locale) })}
                </span>
                <Button
                  size="sm"
                  variant="ghost"
                  className="text-red-700 dark:text-red-400"
                  onClick={() => {
                    onFlash(null);
                    setUndeploying(d.batchId);
                  }}
                >
                  {t("undeploy")}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      )}

      <AssignDialog
        machine={assigning}
        detail={detail}
        onClose={() => setAssigning(null)}
        onDone={(text) => {
          setAssigning(null);
          onFlash({ tone: "success", text });
          void onChanged();
        }}
      />
      <Dialog
        open={undeploying !== null}
        onClose={() => setUndeploying(null)}
        title={t("undeployTitle")}
        description={t("undeployBody", {
          count: detail.deployments.find((d) => d.batchId === undeploying)?.machines ?? 0,
        })}
      >
        <DialogActions>
          <Button variant="secondary" onClick={() => setUndeploying(null)}>
            {tc("cancel")}
          </Button>
          <Button
            variant="danger"
            busy={undeploy.isPending}
            onClick={() => undeploying && void confirmUndeploy(undeploying)}
          >
            {t("undeployConfirm")}
          </Button>
        </DialogActions>
      </Dialog>
    </Card>
  );
}

function AssignDialog({
  machine,
  detail,
  onClose,
  onDone,
}: {
  machine: InstanceView | null;
  detail: ClassDetailView;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const t = useTranslations("classes");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const assign = useMutation(trpc.instances.assign.mutationOptions());
  const form = useFormDialog({
    open: machine !== null,
    initial: () => ({ ownerId: "" }),
    resetOn: [machine],
  });
  const others = detail.members.filter((m) => m.id !== machine?.owner.id);
  const onSubmit = form.handleSubmit(async () => {
    if (!machine) return;
    if (!form.values.ownerId) {
      form.setFieldErrors({ ownerId: t("chooseMember") });
      return;
    }
    const res = await assign.mutateAsync({ id: machine.id, ownerId: Number(form.values.ownerId) });
    onDone(t("assigned", { name: res.name, owner: res.owner.username }));
  });
  return (
    <Dialog
      open={machine !== null}
      onClose={onClose}
      title={machine ? t("assignTitle", { name: machine.name }) : ""}
      description={t("assignBody")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Select
          label={t("newOwner")}
          value={form.values.ownerId}
          onChange={(e) => form.set("ownerId", e.target.value)}
          error={form.fieldErrors.ownerId}
          options={[
            { value: "", label: t("chooseMember") },
            ...others.map((m) => ({ value: String(m.id), label: `${m.username} (${m.displayName})` })),
          ]}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={assign.isPending}>
            {t("assignSubmit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
