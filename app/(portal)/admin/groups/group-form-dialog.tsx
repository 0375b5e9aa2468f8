"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { GroupView } from "@/app/_trpc/views";
import { createGroupInput, GROUP_KINDS, updateGroupInput, type GroupKind } from "@/common/groups";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select, Textarea } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

interface GroupFormDialogProps {
  open: boolean;
  /** null: create a new group. */
  group: GroupView | null;
  onClose: () => void;
  onDone: (message: string) => void;
}

export function GroupFormDialog({ open, group, onClose, onDone }: GroupFormDialogProps) {
  const t = useTranslations("groups");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const form = useFormDialog({
    open,
    initial: () => ({
      name: group?.name ?? "",
      description: group?.description ?? "",
      kind: (group?.kind ?? "class") as GroupKind,
    }),
    resetOn: [group],
  });
  const { fieldErrors } = form;
  const { name, description, kind } = form.values;
  const setName = (v: string) => form.set("name", v);
  const setDescription = (v: string) => form.set("description", v);
  const create = useMutation(trpc.groups.create.mutationOptions());
  const update = useMutation(trpc.groups.update.mutationOptions());

  const onSubmit = form.handleSubmit(async () => {
    if (group) {
      const checked = form.check(updateGroupInput, { id: group.id, name, description, kind });
      if (!checked) return;
      const saved = await update.mutateAsync(checked);
      onDone(t("updated", { name: saved.name }));
    } else {
      const checked = form.check(createGroupInput, { name, description, kind });
      if (!checked) return;
      const saved = await create.mutateAsync(checked);
      onDone(t("created", { name: saved.name }));
    }
  });

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={group ? t("editTitle", { name: group.name }) : t("createTitle")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Input
          label={t("name")}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fieldErrors.name}
        />
        <Select
          label={t("kindLabel")}
          value={kind}
          onChange={(e) => form.set("kind", e.target.value as GroupKind)}
          error={fieldErrors.kind}
          hint={t("kindHint")}
          options={GROUP_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
        />
        <Textarea
          label={t("descriptionLabel")}
          rows={3}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          error={fieldErrors.description}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={create.isPending || update.isPending}>
            {group ? t("saveChanges") : t("create")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
