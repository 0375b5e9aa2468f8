"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { updateProfileInput } from "@/common/accounts";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Input } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

type Values = { displayName: string; email: string };

/** The caller's own display name and e-mail (username, role and groups stay an administrator's). */
export function ProfileForm() {
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  // Mounted with the stored values in hand, so they never overwrite what the user began typing.
  if (!me.data) return <p className="text-sm text-slate-500">{tc("loading")}</p>;
  return <ProfileFields stored={{ displayName: me.data.displayName, email: me.data.email ?? "" }} />;
}

function ProfileFields({ stored }: { stored: Values }) {
  const t = useTranslations("accounts.profile");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useFormDialog({ open: true, initial: (): Values => stored });
  const { values, setValues, fieldErrors } = form;
  const [done, setDone] = useState(false);
  const save = useMutation(trpc.account.updateProfile.mutationOptions());
  useEffect(() => setDone(false), [values]);

  const onSubmit = form.handleSubmit(async () => {
    const checked = form.check(updateProfileInput, values);
    if (!checked) return;
    await save.mutateAsync(checked);
    await queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() });
    setDone(true);
  });

  return (
    <form onSubmit={onSubmit} noValidate className="max-w-md space-y-4" aria-label={t("title")}>
      <FormError message={form.error} />
      {done && <Alert tone="success">{t("saved")}</Alert>}
      <Input
        label={t("displayName")}
        autoComplete="name"
        value={values.displayName}
        onChange={(e) => setValues((v) => ({ ...v, displayName: e.target.value }))}
        error={fieldErrors.displayName}
      />
      <Input
        label={t("email")}
        type="email"
        autoComplete="email"
        value={values.email}
        onChange={(e) => setValues((v) => ({ ...v, email: e.target.value }))}
        error={fieldErrors.email}
        hint={t("emailHint")}
      />
      <Button type="submit" busy={save.isPending}>
        {t("save")}
      </Button>
    </form>
  );
}
