"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { signUpInput } from "@/common/accounts";
import { Alert } from "@/app/_components/alert";
import { Button, ButtonLink } from "@/app/_components/button";
import { Input } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

type Field = "username" | "displayName" | "email" | "password" | "confirmPassword";
type Values = Record<Field, string>;
const EMPTY: Values = { username: "", displayName: "", email: "", password: "", confirmPassword: "" };

export function SignUpForm() {
  const t = useTranslations("accounts.signUp");
  const trpc = useTRPC();
  const options = useQuery(trpc.account.signUpOptions.queryOptions());
  const form = useFormDialog({ open: true, initial: (): Values => EMPTY });
  const { values, setValues, fieldErrors } = form;
  const [done, setDone] = useState<{ pending: boolean } | null>(null);
  const signUp = useMutation(trpc.account.signUp.mutationOptions());

  const onSubmit = form.handleSubmit(async () => {
    const checked = form.check(signUpInput, values);
    if (!checked) return;
    const res = await signUp.mutateAsync(checked);
    setValues(EMPTY);
    setDone({ pending: res.pending });
  });

  if (done)
    return (
      <div className="space-y-4">
        <Alert tone="success" data-testid="sign-up-done">
          {done.pending ? t("donePending") : t("doneActive")}
        </Alert>
        <ButtonLink href="/login" className="w-full">
          {t("toSignIn")}
        </ButtonLink>
      </div>
    );
  if (options.data && !options.data.enabled)
    return (
      <div className="space-y-4">
        <Alert tone="info">{t("off")}</Alert>
        <ButtonLink href="/login" variant="secondary" className="w-full">
          {t("toSignIn")}
        </ButtonLink>
      </div>
    );

  const input = (name: Field, label: string, extra: Partial<Parameters<typeof Input>[0]> = {}) => (
    <Input
      label={label}
      name={name}
      value={values[name]}
      onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
      error={fieldErrors[name]}
      {...extra}
    />
  );

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={form.error} />
      {input("username", t("username"), {
        autoComplete: "username",
        autoCapitalize: "none",
        spellCheck: false,
        hint: t("usernameHint"),
      })}
      {input("displayName", t("displayName"), { autoComplete: "name" })}
      {input("email", t("email"), { type: "email", autoComplete: "email" })}
      {input("password", t("password"), {
        type: "password",
        autoComplete: "new-password",
        hint: t("passwordHint"),
      })}
      {input("confirmPassword", t("confirmPassword"), { type: "password", autoComplete: "new-password" })}
      <Button type="submit" className="w-full" busy={signUp.isPending}>
        {signUp.isPending ? t("submitting") : t("submit")}
      </Button>
      <p className="text-center text-sm text-slate-600 dark:text-slate-400">
        {t("haveAccount")}{" "}
        <Link href="/login" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          {t("signIn")}
        </Link>
      </p>
    </form>
  );
}
