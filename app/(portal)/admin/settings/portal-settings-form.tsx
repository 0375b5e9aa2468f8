"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import { portalSettingsInput, type PortalSettingsView } from "@/common/accounts";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { QueryError } from "@/app/_components/query-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

interface Values {
  signUpEnabled: boolean;
  signUpGroupId: string;
  signUpNeedsApproval: boolean;
  smtpEnabled: boolean;
  host: string;
  port: string;
  from: string;
  user: string;
  /** Typed only to change it: the stored one never comes to the browser. */
  password: string;
  clearPassword: boolean;
}

const valuesOf = (s: PortalSettingsView | undefined): Values => ({
  signUpEnabled: s?.signUpEnabled ?? false,
  signUpGroupId: s?.signUpGroupId ? String(s.signUpGroupId) : "",
  signUpNeedsApproval: s?.signUpNeedsApproval ?? true,
  smtpEnabled: Boolean(s?.smtp),
  host: s?.smtp?.host ?? "",
  port: String(s?.smtp?.port ?? 587),
  from: s?.smtp?.from ?? "",
  user: s?.smtp?.user ?? "",
  password: "",
  clearPassword: false,
});

function Check({
  label,
  checked,
  onChange,
  disabled,
}: {
  label: ReactNode;
  checked: boolean;
  onChange: (v: boolean) => void;
  disabled?: boolean;
}) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input
        type="checkbox"
        className="mt-0.5 size-4 rounded border-slate-300 dark:border-slate-600"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
      />
      <span>{label}</span>
    </label>
  );
}

export function PortalSettingsForm() {
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const settings = useQuery(trpc.portalSettings.read.queryOptions());
  if (settings.isError)
    return (
      <QueryError
        error={settings.error}
        onRetry={() => void settings.refetch()}
        retrying={settings.isFetching}
      />
    );
  if (!settings.data) return <p className="text-sm text-slate-500">{tc("loading")}</p>;
  // Mounted only with the stored settings in hand: nothing typed or ticked can be overwritten by them.
  return <SettingsForm stored={settings.data} />;
}

function SettingsForm({ stored }: { stored: PortalSettingsView }) {
  const t = useTranslations("accounts.settings");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const groups = useQuery(trpc.groups.list.queryOptions());
  const form = useFormDialog({
    open: true,
    initial: () => valuesOf(stored),
    resetOn: [stored],
    fields: ["signUpGroupId", "host", "port", "from", "user", "password"],
    // The server names nested SMTP fields "smtp.host"; the form shows them beside its own inputs.
    serverFields: (errors) =>
      Object.fromEntries(Object.entries(errors).map(([k, v]) => [k.replace(/^smtp\./, ""), v])),
  });
  const { values, setValues, fieldErrors } = form;
  const [saved, setSaved] = useState(false);
  const save = useMutation(trpc.portalSettings.update.mutationOptions());
  const set = <K extends keyof Values>(k: K, v: Values[K]) => {
    setSaved(false);
    setValues((prev) => ({ ...prev, [k]: v }));
  };

  const onSubmit = form.handleSubmit(async () => {
    const input = {
      signUpEnabled: values.signUpEnabled,
      signUpGroupId: values.signUpGroupId ? Number(values.signUpGroupId) : null,
      signUpNeedsApproval: values.signUpNeedsApproval,
      smtp: values.smtpEnabled
        ? {
            host: values.host,
            port: Number(values.port),
            from: values.from,
            user: values.user,
            // Empty keeps the stored password; the box removes it.
            password: values.clearPassword ? "" : values.password || undefined,
          }
        : null,
    };
    const checked = form.check(portalSettingsInput, input, {
      adjust: (errors) => {
        const flat = Object.fromEntries(
          Object.entries(errors).map(([k, v]) => [k.replace(/^smtp\./, ""), v]),
        );
        if (input.signUpEnabled && input.signUpGroupId === null) flat.signUpGroupId = t("chooseGroup");
        return flat;
      },
    });
    if (!checked) return;
    await save.mutateAsync(checked);
    await queryClient.invalidateQueries({ queryKey: trpc.portalSettings.read.queryKey() });
    setSaved(true);
  });

  const groupOptions = [
    { value: "", label: t("chooseGroup") },
    ...(groups.data ?? []).map((g) => ({ value: String(g.id), label: g.name })),
  ];

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-6 lg:grid-cols-2">
      <div className="space-y-4 lg:col-span-2">
        <FormError message={form.error} />
        {saved && <Alert tone="success">{t("saved")}</Alert>}
      </div>
      <Card>
        <CardHeader title={t("signUpTitle")} />
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">{t("signUpHint")}</p>
        <div className="space-y-4">
          <Check
            label={t("signUpEnabled")}
            checked={values.signUpEnabled}
            onChange={(v) => set("signUpEnabled", v)}
          />
          <Select
            label={t("signUpGroup")}
            options={groupOptions}
            value={values.signUpGroupId}
            onChange={(e) => set("signUpGroupId", e.target.value)}
            error={fieldErrors.signUpGroupId}
          />
          <Check
            label={t("needsApproval")}
            checked={values.signUpNeedsApproval}
            onChange={(v) => set("signUpNeedsApproval", v)}
          />
        </div>
      </Card>
      <Card>
        <CardHeader title={t("smtpTitle")} />
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">{t("smtpHint")}</p>
        <div className="space-y-4">
          <Check
            label={t("smtpEnabled")}
            checked={values.smtpEnabled}
            onChange={(v) => set("smtpEnabled", v)}
          />
          {values.smtpEnabled && (
            <>
              <div className="grid gap-4 sm:grid-cols-3">
                <Input
                  label={t("host")}
                  fieldClassName="sm:col-span-2"
                  value={values.host}
                  onChange={(e) => set("host", e.target.value)}
                  error={fieldErrors.host}
                />
                <Input
                  label={t("port")}
                  inputMode="numeric"
                  value={values.port}
                  onChange={(e) => set("port", e.target.value)}
                  error={fieldErrors.port}
                />
              </div>
              <Input
                label={t("from")}
                type="email"
                value={values.from}
                onChange={(e) => set("from", e.target.value)}
                error={fieldErrors.from}
              />
              <Input
                label={t("user")}
                autoComplete="off"
                value={values.user}
                onChange={(e) => set("user", e.target.value)}
                error={fieldErrors.user}
              />
              <Input
                label={t("password")}
                type="password"
                autoComplete="new-password"
                value={values.password}
                disabled={values.clearPassword}
                onChange={(e) => set("password", e.target.value)}
                error={fieldErrors.password}
                hint={stored.smtp?.passwordSet ? t("passwordKeep") : t("passwordNone")}
              />
              {stored.smtp?.passwordSet && (
                <Check
                  label={t("clearPassword")}
                  checked={values.clearPassword}
                  onChange={(v) => set("clearPassword", v)}
                />
              )}
            </>
          )}
        </div>
      </Card>
      <div className="lg:col-span-2">
        <Button type="submit" busy={save.isPending}>
          {t("save")}
        </Button>
      </div>
    </form>
  );
}
