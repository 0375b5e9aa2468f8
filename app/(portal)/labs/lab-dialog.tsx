"use client";
// Create or edit a lab: a name, its seats (how many desktops its pools may hold), the owner group (or
// public, superAdm) and the profiles it may use (of its group, or public).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { createLabInput, LAB_SEATS, updateLabInput } from "@/common/labs";
import { CheckboxGroup } from "@/app/_components/checkbox-group";
import { Input } from "@/app/_components/field";
import { FormDialog } from "@/app/_components/form-dialog";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { LabDetailView } from "@/app/_trpc/views";
import { GroupField, useStartInFirstGroup } from "../_components/group-field";
import { DescriptionInput, NameInput } from "../_components/name-fields";

interface Values {
  name: string;
  description: string;
  seats: string;
  groupId: string;
  profileIds: number[];
}

export function LabDialog({
  open,
  lab,
  isSuperAdm,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** null: a new lab. */
  lab: LabDetailView | null;
  isSuperAdm: boolean;
  onClose: () => void;
  onSaved: (l: LabDetailView) => void;
}) {
  const t = useTranslations("labs");
  const trpc = useTRPC();
  const editing = lab !== null;
  const form = useFormDialog<Values>({
    open,
    initial: () => ({
      name: lab?.name ?? "",
      description: lab?.description ?? "",
      seats: String(lab?.seats ?? 30),
      groupId: lab?.group ? String(lab.group.id) : "",
      profileIds: lab?.profiles.map((p) => p.id) ?? [],
    }),
    resetOn: [lab?.id],
  });
  const { values, set, fieldErrors } = form;
  useStartInFirstGroup(open, !editing && !isSuperAdm, values.groupId, (id) => set("groupId", id));
  const profiles = useQuery({ ...trpc.profiles.list.queryOptions(), enabled: open });
  const create = useMutation(trpc.labs.create.mutationOptions());
  const update = useMutation(trpc.labs.update.mutationOptions());

  const groupId = values.groupId ? Number(values.groupId) : null;
  // A lab uses profiles of its group and public ones (a public lab: public ones).
  const choices = (profiles.data ?? []).filter((p) => p.group === null || p.group.id === groupId);

  const onSubmit = form.handleSubmit(async () => {
    const common = {
      name: values.name,
      description: values.description,
      seats: values.seats.trim() === "" ? undefined : Number(values.seats),
      profileIds: values.profileIds.filter((id) => choices.some((p) => p.id === id)),
    };
    if (editing) {
      const checked = form.check(updateLabInput, { id: lab.id, ...common });
      if (!checked) return;
      onSaved(await update.mutateAsync(checked));
    } else {
      const checked = form.check(createLabInput, { ...common, groupId });
      if (!checked) return;
      onSaved(await create.mutateAsync(checked));
    }
    onClose();
  });

  return (
    <FormDialog
      open={open}
      onClose={onClose}
      title={editing ? t("editTitle", { name: lab.name }) : t("createTitle")}
      description={t("dialogBody")}
      onSubmit={onSubmit}
      error={form.error}
      submitting={form.submitting}
      submitLabel={editing ? t("save") : t("createSubmit")}
    >
      <NameInput label={t("name")} {...form.bind("name")} />
      <DescriptionInput label={t("descriptionField")} {...form.bind("description")} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Input
          label={t("seats")}
          type="number"
          inputMode="numeric"
          min={LAB_SEATS.min}
          max={LAB_SEATS.max}
          value={values.seats}
          onChange={(e) => set("seats", e.target.value)}
          error={fieldErrors.seats}
          hint={t("seatsHint")}
        />
        <GroupField
          open={open}
          label={t("group")}
          disabled={editing}
          {...form.bind("groupId")}
          publicOption={isSuperAdm || (editing && !lab.group) ? t("publicOption") : undefined}
        />
      </div>
      <CheckboxGroup
        legend={t("profiles")}
        options={choices.map((p) => ({
          id: p.id,
          label: p.name,
          detail: p.group ? undefined : t("public"),
        }))}
        value={values.profileIds}
        onChange={(v) => set("profileIds", v)}
        error={fieldErrors.profileIds}
        empty={t("noProfiles")}
      />
    </FormDialog>
  );
}
