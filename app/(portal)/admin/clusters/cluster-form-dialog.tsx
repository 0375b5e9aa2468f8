"use client";
// "New cluster" and "Rename": name and description; the kind is chosen once (what the scheduler decides
// by cannot change under running instances: a new cluster and host moves do that).
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { ClusterView } from "@/app/_trpc/views";
import { CLUSTER_KINDS, createClusterInput, renameClusterInput, type ClusterKind } from "@/common/clusters";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

export function ClusterFormDialog({
  open,
  cluster,
  onClose,
  onDone,
}: {
  open: boolean;
  /** null: a new cluster. */
  cluster: ClusterView | null;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const t = useTranslations("clusters");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const form = useFormDialog({
    open,
    initial: () => ({
      name: cluster?.name ?? "",
      kind: (cluster?.kind ?? "servers") as ClusterKind,
      description: cluster?.description ?? "",
    }),
    resetOn: [cluster],
  });
  const { values, set, fieldErrors, tv } = form;
  const create = useMutation(trpc.clusters.create.mutationOptions());
  const rename = useMutation(trpc.clusters.rename.mutationOptions());

  const onSubmit = form.handleSubmit(async () => {
    const format = { name: tv("clusterNameFormat") };
    if (cluster) {
      const checked = form.check(
        renameClusterInput,
        { id: cluster.id, name: values.name, description: values.description },
        { format },
      );
      if (!checked) return;
      const saved = await rename.mutateAsync(checked);
      onDone(t("renamedDone", { name: saved.name }));
    } else {
      const checked = form.check(createClusterInput, values, { format });
      if (!checked) return;
      const made = await create.mutateAsync(checked);
      onDone(t("createdDone", { name: made.name }));
    }
  });

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={cluster ? t("renameTitle", { name: cluster.name }) : t("createTitle")}
      description={cluster ? t("kindFixed") : undefined}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Input
          label={t("fieldName")}
          autoComplete="off"
          value={values.name}
          onChange={(e) => set("name", e.target.value)}
          error={fieldErrors.name}
        />
        {!cluster && (
          <Select
            label={t("fieldKind")}
            value={values.kind}
            onChange={(e) => set("kind", e.target.value as ClusterKind)}
            error={fieldErrors.kind}
            options={CLUSTER_KINDS.map((k) => ({ value: k, label: kindLabel(t, k) }))}
          />
        )}
        <Input
          label={t("fieldDescription")}
          autoComplete="off"
          value={values.description}
          onChange={(e) => set("description", e.target.value)}
          error={fieldErrors.description}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={create.isPending || rename.isPending}>
            {cluster ? t("save") : t("create")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** The kind's name as the admin pages show it. */
export function kindLabel(t: ReturnType<typeof useTranslations<"clusters">>, kind: ClusterKind): string {
  return t(kind === "servers" ? "kindServers" : kind === "desktops" ? "kindDesktops" : "kindLocal");
}
