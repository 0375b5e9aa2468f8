"use client";
// "Create one machine per student": an image and flavor from the class's catalogue, a name prefix, and
// every student or a chosen few. The server places them as one batch (all or none); the dialog then
// follows them coming up from the class page's live data.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { deployClassInput } from "@/common/classes";
import type { ClassDetailView } from "@/app/_trpc/views";
import { Button } from "@/app/_components/button";
import { CheckboxGroup } from "@/app/_components/checkbox-group";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { ProgressBar } from "@/app/_components/progress-bar";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

interface Values {
  imageId: string;
  flavorId: string;
  networkId: string;
  namePrefix: string;
  who: "students" | "chosen";
  userIds: number[];
}

export function DeployDialog({
  open,
  detail,
  onClose,
  onDone,
}: {
  open: boolean;
  detail: ClassDetailView;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const t = useTranslations("classes");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const deploy = useMutation(trpc.classes.deploy.mutationOptions());
  // Without a network restriction, the networks anyone may launch on.
  const choices = useQuery({
    ...trpc.networks.choices.queryOptions(),
    enabled: open && detail.catalogue.networks.length === 0,
  });
  const networks = detail.catalogue.networks.length ? detail.catalogue.networks : (choices.data ?? []);
  const [batch, setBatch] = useState<{ batchId: string; total: number } | null>(null);
  const form = useFormDialog<Values>({
    open,
    initial: () => ({
      imageId: "",
      flavorId: "",
      networkId: "",
      namePrefix:
        detail.name
          .toLowerCase()
          .replace(/[^a-z0-9.-]+/g, "-")
          .replace(/^-+|-+$/g, "") || "vm",
      who: "students",
      userIds: [],
    }),
    fields: ["imageId", "flavorId", "networkId", "namePrefix", "userIds"],
  });
  const { values, set, setValues, fieldErrors } = form;
  useEffect(() => {
    if (open) setBatch(null);
  }, [open]);
  const firstNetwork = networks[0]?.id;
  useEffect(() => {
    if (open && firstNetwork && !values.networkId) setValues((v) => ({ ...v, networkId: firstNetwork }));
  }, [open, firstNetwork, values.networkId, setValues]);

  const students = detail.members.filter((m) => m.role === "user" && !m.disabled);
  const onSubmit = form.handleSubmit(async () => {
    const input = {
      id: detail.id,
      imageId: values.imageId,
      flavorId: values.flavorId ? Number(values.flavorId) : undefined,
      networkId: values.networkId || undefined,
      namePrefix: values.namePrefix,
      userIds: values.who === "chosen" ? values.userIds : undefined,
    };
    const checked = form.check(deployClassInput, input, { format: { namePrefix: t("prefixFormat") } });
    if (!checked) return;
    const res = await deploy.mutateAsync(checked);
    setBatch({ batchId: res.batchId, total: res.instances.length });
    onDone(t("deployed", { count: res.instances.length }));
  });

  // Progress: how many of this batch run now (the class page refreshes every 2 s while they build).
  const mine = batch ? detail.machines.filter((m) => m.batchId === batch.batchId) : [];
  const running = mine.filter((m) => m.state === "RUNNING").length;
  const failed = mine.filter((m) => m.state === "ERROR").length;

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("deployTitle", { name: detail.name })}
      description={t("deployBody")}
    >
      {batch ? (
        <div className="space-y-4" data-testid="deploy-progress">
          <ProgressBar
            value={batch.total ? (running / batch.total) * 100 : 100}
            label={t("deployProgressLabel")}
            tone={failed ? "warning" : running === batch.total ? "success" : "info"}
          />
          <p className="text-sm">{t("deployProgress", { running, total: batch.total })}</p>
          {failed > 0 && (
            <p className="text-sm text-red-700 dark:text-red-400">{t("deployFailed", { count: failed })}</p>
          )}
          <DialogActions>
            <Button onClick={onClose}>{tc("close")}</Button>
          </DialogActions>
        </div>
      ) : (
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          <FormError message={form.error} />
          <Select
            label={t("image")}
            value={values.imageId}
            onChange={(e) => set("imageId", e.target.value)}
            error={fieldErrors.imageId}
            hint={detail.catalogue.images.length === 0 ? t("noImages") : undefined}
            options={[
              { value: "", label: t("chooseImage") },
              ...detail.catalogue.images.map((i) => ({ value: i.id, label: i.name })),
            ]}
          />
          <Select
            label={t("flavor")}
            value={values.flavorId}
            onChange={(e) => set("flavorId", e.target.value)}
            error={fieldErrors.flavorId}
            hint={detail.catalogue.flavors.length === 0 ? t("noFlavors") : undefined}
            options={[
              { value: "", label: t("chooseFlavor") },
              ...detail.catalogue.flavors.map((f) => ({
                value: String(f.id),
                label: t("flavorOption", {
                  name: f.name,
                  vcpus: f.vcpus,
                  memoryMiB: f.memoryMiB,
                  diskGiB: f.diskGiB,
                }),
              })),
            ]}
          />
          <Select
            label={t("network")}
            value={values.networkId}
            onChange={(e) => set("networkId", e.target.value)}
            error={fieldErrors.networkId}
            options={
              networks.length
                ? networks.map((n) => ({ value: n.id, label: `${n.name} (${n.cidr})` }))
                : [{ value: "", label: t("noNetwork") }]
            }
          />
          <Input
            label={t("namePrefix")}
            autoComplete="off"
            spellCheck={false}
            value={values.namePrefix}
            onChange={(e) => set("namePrefix", e.target.value)}
            error={fieldErrors.namePrefix}
            hint={t("namePrefixHint", {
              example: `${values.namePrefix || "vm"}-${students[0]?.username ?? "ann"}`,
            })}
          />
          <fieldset className="space-y-1">
            <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">{t("who")}</legend>
            <label className="flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="who"
                className="accent-indigo-600"
                checked={values.who === "students"}
                onChange={() => set("who", "students")}
              />
              {t("allStudents", { count: students.length })}
            </label>
            <label className="flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="who"
                className="accent-indigo-600"
                checked={values.who === "chosen"}
                onChange={() => set("who", "chosen")}
              />
              {t("chosenMembers")}
            </label>
          </fieldset>
          {values.who === "chosen" && (
            <CheckboxGroup
              legend={t("members")}
              options={detail.members.map((m) => ({ id: m.id, label: m.username, detail: m.displayName }))}
              value={values.userIds}
              onChange={(v) => set("userIds", v)}
              error={fieldErrors.userIds}
              empty={t("noMembers")}
            />
          )}
          <DialogActions>
            <Button variant="secondary" onClick={onClose}>
              {tc("cancel")}
            </Button>
            <Button type="submit" busy={deploy.isPending}>
              {t("deploySubmit")}
            </Button>
          </DialogActions>
        </form>
      )}
    </Dialog>
  );
}
