"use client";
// "Which hosts carry this network": every host (also ones that join later), or only those chosen.
// The API says "all" with an empty list, so the form keeps the choice apart and checks that "only
// these" really names at least one host — otherwise an empty choice would silently mean "all".
import { useTranslations } from "next-intl";
import { useId } from "react";
import { CheckboxGroup } from "@/app/_components/checkbox-group";

export interface HostChoiceValue {
  all: boolean;
  hostIds: string[];
}

interface HostChoiceProps {
  hosts: readonly { id: string; name: string }[] | undefined;
  value: HostChoiceValue;
  onChange: (next: HostChoiceValue) => void;
  error?: string | null;
}

export function HostChoice({ hosts, value, onChange, error }: HostChoiceProps) {
  const t = useTranslations("networks");
  const tc = useTranslations("common");
  const name = useId();
  const radio = "size-4 accent-indigo-600";
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">{t("hosts")}</legend>
      <div className="flex flex-wrap gap-x-5 gap-y-1 text-sm">
        <label className="flex cursor-pointer items-center gap-2">
          <input
            type="radio"
            name={name}
            className={radio}
            checked={value.all}
            onChange={() => onChange({ ...value, all: true })}
          />
          {t("hostsAll")}
        </label>
        <label className="flex cursor-pointer items-center gap-2">
          <input
            type="radio"
            name={name}
            className={radio}
            checked={!value.all}
            onChange={() => onChange({ ...value, all: false })}
          />
          {t("hostsChosen")}
        </label>
      </div>
      {!value.all && (
        <CheckboxGroup
          legend={<span className="sr-only">{t("hostsChosen")}</span>}
          options={(hosts ?? []).map((h) => ({ id: h.id, label: h.name }))}
          value={value.hostIds}
          onChange={(hostIds) => onChange({ ...value, hostIds })}
          error={error}
          empty={hosts ? t("noHosts") : tc("loading")}
          maxHeightClass="max-h-36"
        />
      )}
      {value.all && error && <p className="text-sm text-red-600 dark:text-red-400">{error}</p>}
    </fieldset>
  );
}

/** The API's form of the choice; null when "only these" names no host (the form says so). */
export function hostIdsFor(value: HostChoiceValue): string[] | null {
  if (value.all) return [];
  return value.hostIds.length ? value.hostIds : null;
}
