"use client";
// "New API token": a name, an expiry preset, a role no higher than one's own, read-only or not. The
// answer holds the whole token, which the caller shows once (TokenSecretDialog).
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId } from "react";
import { API_TOKEN_EXPIRY_DAYS, createApiTokenInput, type ApiTokenExpiryDays } from "@/common/api-tokens";
import { ACCOUNT_ROLES, roleRank, type AccountRole } from "@/common/roles";
import { FormDialog } from "@/app/_components/form-dialog";
import { Input, Select } from "@/app/_components/field";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { CreatedApiToken } from "@/app/_trpc/views";

type Values = { name: string; expiresInDays: string; role: AccountRole; readOnly: boolean };

export function CreateTokenDialog({
  open,
  ownRole,
  onClose,
  onCreated,
}: {
  open: boolean;
  ownRole: AccountRole;
  onClose: () => void;
  onCreated: (token: CreatedApiToken) => void;
}) {
  const t = useTranslations("apiTokens");
  const tr = useTranslations("roles");
  const trpc = useTRPC();
  const create = useMutation(trpc.apiTokens.create.mutationOptions());
  const form = useFormDialog<Values>({
    open,
    initial: () => ({ name: "", expiresInDays: "30", role: ownRole, readOnly: false }),
  });
  const { values, set, fieldErrors } = form;
  const roles = ACCOUNT_ROLES.filter((r) => roleRank(r) <= roleRank(ownRole));
  const readOnlyId = useId();

  const onSubmit = form.handleSubmit(async () => {
    const checked = form.check(createApiTokenInput, {
      ...values,
      expiresInDays: Number(values.expiresInDays) as ApiTokenExpiryDays,
    });
    if (!checked) return;
    onCreated(await create.mutateAsync(checked));
  });

  return (
    <FormDialog
      open={open}
      onClose={onClose}
      title={t("createTitle")}
      onSubmit={onSubmit}
      error={form.error}
      submitting={form.submitting}
      submitLabel={t("create")}
    >
      <Input
        label={t("name")}
        value={values.name}
        onChange={(e) => set("name", e.target.value)}
        error={fieldErrors.name}
        hint={t("nameHint")}
        maxLength={64}
      />
      <Select
        label={t("expiry")}
        value={values.expiresInDays}
        onChange={(e) => set("expiresInDays", e.target.value)}
        error={fieldErrors.expiresInDays}
        options={API_TOKEN_EXPIRY_DAYS.map((d) => ({
          value: String(d),
          label: t("expiryDays", { days: d }),
        }))}
      />
      <Select
        label={t("role")}
        value={values.role}
        onChange={(e) => set("role", e.target.value as AccountRole)}
        error={fieldErrors.role}
        hint={t("roleHint")}
        options={roles.map((r) => ({ value: r, label: tr(r) }))}
      />
      <div className="flex items-start gap-2">
        <input
          id={readOnlyId}
          type="checkbox"
          className="mt-0.5 size-4 accent-indigo-600"
          checked={values.readOnly}
          onChange={(e) => set("readOnly", e.target.checked)}
          aria-describedby={`${readOnlyId}-hint`}
        />
        <div>
          <label
            htmlFor={readOnlyId}
            className="block text-sm font-medium text-slate-700 dark:text-slate-200"
          >
            {t("readOnly")}
          </label>
          <p id={`${readOnlyId}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
            {t("readOnlyHint")}
          </p>
        </div>
      </div>
    </FormDialog>
  );
}
