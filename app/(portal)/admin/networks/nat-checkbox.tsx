"use client";
// One checkbox with its explanation, shared by "New network" and "Edit network".
import { useTranslations } from "next-intl";
import { useId } from "react";

export function NatCheckbox({
  checked,
  onChange,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const t = useTranslations("networks");
  const id = useId();
  return (
    <div className="flex items-start gap-2">
      <input
        id={id}
        type="checkbox"
        className="mt-0.5 size-4 accent-indigo-600"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={`${id}-hint`}
      />
      <div>
        <label htmlFor={id} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
          {t("nat")}
        </label>
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {t("natHint")}
        </p>
      </div>
    </div>
  );
}
