"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { redeemResetLinkInput } from "@/common/accounts";
import { Alert } from "@/app/_components/alert";
import { Button, ButtonLink } from "@/app/_components/button";
import { Input } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

type Values = { password: string; confirmPassword: string };

export function ResetForm({ token }: { token: string }) {
  const t = useTranslations("accounts.reset");
  const trpc = useTRPC();
  const form = useFormDialog({ open: true, initial: (): Values => ({ password: "", confirmPassword: "" }) });
  const { values, setValues, fieldErrors } = form;
  const [username, setUsername] = useState<string | null>(null);
  const redeem = useMutation(trpc.account.redeemResetLink.mutationOptions());

  const onSubmit = form.handleSubmit(async () => {
    const checked = form.check(redeemResetLinkInput, { token, ...values });
    // A malformed token has no field of its own: its error shows above the form.
    if (!checked) return;
    const res = await redeem.mutateAsync(checked);
    setUsername(res.username);
  });

  if (username)
    return (
      <div className="space-y-4">
        <Alert tone="success" data-testid="reset-done">
          {t("done")}
        </Alert>
        <ButtonLink href="/login" className="w-full">
          {t("toSignIn")}
        </ButtonLink>
      </div>
    );

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={form.error ?? fieldErrors.token ?? null} />
      <Input
        label={t("password")}
        type="password"
        autoComplete="new-password"
        value={values.password}
        onChange={(e) => setValues((v) => ({ ...v, password: e.target.value }))}
        error={fieldErrors.password}
        hint={t("passwordHint")}
      />
      <Input
        label={t("confirmPassword")}
        type="password"
        autoComplete="new-password"
        value={values.confirmPassword}
        onChange={(e) => setValues((v) => ({ ...v, confirmPassword: e.target.value }))}
        error={fieldErrors.confirmPassword}
      />
      <Button type="submit" className="w-full" busy={redeem.isPending}>
        {redeem.isPending ? t("submitting") : t("submit")}
      </Button>
    </form>
  );
}
