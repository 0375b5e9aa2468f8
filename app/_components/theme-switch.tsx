"use client";
import { useTranslations } from "next-intl";
import { THEMES, type Theme } from "@/app/_lib/theme";
import { Select } from "./field";
import { useTheme } from "./theme-provider";

export function ThemeSwitch({
  label,
  hideLabel,
  compact,
}: {
  label: string;
  hideLabel?: boolean;
  compact?: boolean;
}) {
  const t = useTranslations("preferences");
  const { theme, setTheme } = useTheme();
  const names: Record<Theme, string> = {
    system: t("themeSystem"),
    light: t("themeLight"),
    dark: t("themeDark"),
  };
  return (
    <Select
      label={label}
      hideLabel={hideLabel}
      value={theme}
      onChange={(e) => setTheme(e.target.value as Theme)}
      options={THEMES.map((v) => ({ value: v, label: names[v] }))}
      className={compact ? "w-auto! py-1.5!" : undefined}
    />
  );
}
