"use client";
// Clone a profile into a new one (same or another group the caller administers): it shares the
// source's current image until either publishes a change.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { cloneProfileInput } from "@/common/profiles";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { ProfileDetailView } from "@/app/_trpc/views";

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
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const groups = useQuery({ ...trpc.classes.list.queryOptions(), enabled: open });
  const clone = useMutation(trpc.profiles.clone.mutationOptions());
  const form = useFormDialog({
    open,
    initial: () => ({
      name: t("cloneName", { name: profile.name }).slice(0, 64),
      groupId: profile.group ? String(profile.group.id) : "",
    }),
    resetOn: [profile.id],
  });
  const { values, set, fieldErrors } = form;

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
    <Dialog
      open={open}
      onClose={onClose}
      title={t("cloneTitle", { name: profile.name })}
      description={t("cloneBody")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Input
          label={t("name")}
          autoComplete="off"
          value={values.name}
          onChange={(e) => set("name", e.target.value)}
          error={fieldErrors.name}
        />
        <Select
          label={t("group")}
          value={values.groupId}
          onChange={(e) => set("groupId", e.target.value)}
          error={fieldErrors.groupId}
          options={[
            ...(isSuperAdm ? [{ value: "", label: t("publicOption") }] : []),
            ...(groups.data ?? []).map((g) => ({ value: String(g.id), label: g.name })),
          ]}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={form.submitting}>
            {t("cloneSubmit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
