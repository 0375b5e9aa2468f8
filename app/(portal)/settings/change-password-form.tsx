"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { changePasswordInput } from "@/common/users";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Input } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

type Values = Record<"currentPassword" | "newPassword" | "confirmPassword", string>;
const EMPTY: Values = { currentPassword: "", newPassword: "", confirmPassword: "" };

export function ChangePasswordForm() {
  const t = useTranslations("settings");
  const trpc = useTRPC();
  // Always open: the form is the page. The server's per-field notes go next to their fields.
  const form = useFormDialog({ open: true, initial: (): Values => EMPTY });
  const { values, setValues, fieldErrors } = form;
  const [done, setDone] = useState(false);
  const change = useMutation(trpc.account.changePassword.mutationOptions());

  const set = (k: keyof Values) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [k]: e.target.value }));
    setDone(false);
  };

  const onSubmit = form.handleSubmit(async () => {
    setDone(false);
    const checked = form.check(changePasswordInput, values);
    if (!checked) return;
    await change.mutateAsync(checked);
    setValues(EMPTY);
    setDone(true);
  });

  return (
    <form onSubmit={onSubmit} noValidate className="max-w-md space-y-4">
      <FormError message={form.error} />
      {done && <Alert tone="success">{t("passwordChanged")}</Alert>}
      <Input
        label={t("currentPassword")}
        type="password"
        autoComplete="current-password"
        value={values.currentPassword}
        onChange={set("currentPassword")}
        error={fieldErrors.currentPassword}
      />
      <Input
        label={t("newPassword")}
        type="password"
        autoComplete="new-password"
        value={values.newPassword}
        onChange={set("newPassword")}
        error={fieldErrors.newPassword}
        hint={t("newPasswordHint")}
      />
      <Input
        label={t("confirmPassword")}
        type="password"
        autoComplete="new-password"
        value={values.confirmPassword}
        onChange={set("confirmPassword")}
        error={fieldErrors.confirmPassword}
      />
      <Button type="submit" busy={change.isPending}>
        {t("changePassword")}
      </Button>
    </form>
  );
}
