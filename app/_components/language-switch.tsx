"use client";
// The language lives in the NEXT_LOCALE cookie (read by i18n/request.ts); a refresh re-renders the
// server components in the new language without losing client state such as open forms.
import { useMutation } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { LOCALE_COOKIE, LOCALES, toLocale, type AppLocale } from "@/i18n/config";
import { setPreferenceCookie } from "@/app/_lib/cookies";
import { useTRPC } from "@/app/_trpc/client";
import { Select } from "./field";

interface LanguageSwitchProps {
  label: string;
  hideLabel?: boolean;
  compact?: boolean;
  /** Signed in: also remember the choice on the account, so it follows the user to other devices. */
  persist?: boolean;
}

export function LanguageSwitch({ label, hideLabel, compact, persist }: LanguageSwitchProps) {
  const t = useTranslations("preferences");
  const trpc = useTRPC();
  const router = useRouter();
  const locale = toLocale(useLocale());
  const [pending, startTransition] = useTransition();
  const save = useMutation(trpc.account.updatePreferences.mutationOptions());
  const names: Record<AppLocale, string> = { en: t("languageEn"), "zh-CN": t("languageZh") };

  async function change(next: AppLocale) {
    setPreferenceCookie(LOCALE_COOKIE, next);
    if (persist) await save.mutateAsync({ locale: next }).catch(() => undefined);
    startTransition(() => router.refresh());
  }

  return (
    <Select
      label={label}
      hideLabel={hideLabel}
      value={locale}
      disabled={pending}
      onChange={(e) => void change(toLocale(e.target.value))}
      options={LOCALES.map((v) => ({ value: v, label: names[v] }))}
      className={compact ? "w-auto! py-1.5!" : undefined}
    />
  );
}
