"use client";
// Clone a profile into a new one (same or another group the caller administers): it shares the
// source's current image until either publishes a change.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { cloneProfileInput } from "@/common/profiles";
import { FormDialog } from "@/app/_components/form-dialog";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { ProfileDetailView } from "@/app/_trpc/views";
import { GroupField } from "../../_components/group-field";
import { NameInput } from "../../_components/name-fields";

export function CloneDialog({
  open,
  profile,
  isSuperAdm,
  onClose,
  onCloned,
}: {
  open: boolean;
  profile: ProfileDetailView;
  isSuperAdm: boolean;
  onClose: () => void;
  onCloned: (p: ProfileDetailView) => void;
}) {
  const t = useTranslations("profiles");
  const trpc = useTRPC();
  const clone = useMutation(trpc.profiles.clone.mutationOptions());
  const form = useFormDialog({
    open,
    initial: () => ({
      name: t("cloneName", { name: profile.name }).slice(0, 64),
      groupId: profile.group ? String(profile.group.id) : "",
    }),
    resetOn: [profile.id],
  });
  const { values } = form;

  const onSubmit = form.handleSubmit(async () => {
    const checked = form.check(cloneProfileInput, {
      id: profile.id,
      name: values.name,
      groupId: values.groupId ? Number(values.groupId) : null,
    });
    if (!checked) return;
    onCloned(await clone.mutateAsync(checked));
    onClose();
  });

  return (
    <FormDialog
      open={open}
      onClose={onClose}
      title={t("cloneTitle", { name: profile.name })}
      description={t("cloneBody")}
      onSubmit={onSubmit}
      error={form.error}
      submitting={form.submitting}
      submitLabel={t("cloneSubmit")}
    >
      <NameInput label={t("name")} {...form.bind("name")} />
      <GroupField
        open={open}
        label={t("group")}
        {...form.bind("groupId")}
        publicOption={isSuperAdm ? t("publicOption") : undefined}
      />
    </FormDialog>
  );
}
