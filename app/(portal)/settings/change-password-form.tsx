"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { changePasswordInput } from "@/common/users";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Input } from "@/app/_components/field";
import { useMutationErrorText } from "@/app/_components/query-error";
import { readError } from "@/app/_lib/trpc-error";
import { validate, type FieldErrors } from "@/app/_lib/validation";
import { useTRPC } from "@/app/_trpc/client";

const FIELDS = ["currentPassword", "newPassword", "confirmPassword"] as const;
type Values = Record<(typeof FIELDS)[number], string>;
const EMPTY: Values = { currentPassword: "", newPassword: "", confirmPassword: "" };

export function ChangePasswordForm() {
  const t = useTranslations("settings");
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [values, setValues] = useState<Values>(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const change = useMutation(trpc.account.changePassword.mutationOptions());

  const set = (k: keyof Values) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [k]: e.target.value }));
    setDone(false);
  };

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setDone(false);
    const checked = validate(changePasswordInput, values, tv);
    setFieldErrors(checked.errors ?? {});
    if (!checked.data) return;
    try {
      await change.mutateAsync(checked.data);
      setValues(EMPTY);
      setDone(true);
    } catch (err) {
      // The server's sentence goes in the alert; its per-field notes next to their fields.
      setFieldErrors(readError(err).fieldErrors);
      setError(errorText(err));
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="max-w-md space-y-4">
      {error && (
        <Alert tone="error" data-testid="form-error">
          {error}
        </Alert>
      )}
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
