"use client";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { auditFilterInput, type AuditFilter } from "@/common/audit";
import { Button } from "@/app/_components/button";
import { Input, Select } from "@/app/_components/field";
import { validate, type FieldErrors } from "@/app/_lib/validation";

interface Draft {
  actor: string;
  action: string;
  result: "" | "success" | "failure";
  from: string;
  to: string;
}
const EMPTY: Draft = { actor: "", action: "", result: "", from: "", to: "" };

/** <input type="date"> gives a calendar day; the filter wants the whole day in the user's own time zone. */
function dayStart(value: string): Date | undefined {
  return value ? new Date(`${value}T00:00:00`) : undefined;
}
function dayEnd(value: string): Date | undefined {
  return value ? new Date(`${value}T23:59:59.999`) : undefined;
}

export function AuditFilters({ onApply }: { onApply: (filter: AuditFilter) => void }) {
  const t = useTranslations("audit");
  const tv = useTranslations("validation");
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (k: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));

  function apply(next: Draft) {
    const checked = validate(
      auditFilterInput,
      {
        actor: next.actor.trim() || undefined,
        action: next.action.trim() || undefined,
        result: next.result || undefined,
        from: dayStart(next.from),
        to: dayEnd(next.to),
      },
      tv,
    );
    setErrors(checked.errors ?? {});
    if (checked.data) onApply(checked.data);
  }

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    apply(draft);
  }

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label={t("filters")}
      className="mb-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <Input label={t("actor")} value={draft.actor} onChange={set("actor")} error={errors.actor} />
        <Input
          label={t("action")}
          placeholder={t("actionPlaceholder")}
          value={draft.action}
          onChange={set("action")}
          error={errors.action}
        />
        <Select
          label={t("result")}
          value={draft.result}
          onChange={set("result")}
          options={[
            { value: "", label: t("resultAny") },
            { value: "success", label: t("success") },
            { value: "failure", label: t("failure") },
          ]}
        />
        <Input label={t("from")} type="date" value={draft.from} onChange={set("from")} error={errors.from} />
        <Input label={t("to")} type="date" value={draft.to} onChange={set("to")} error={errors.to} />
      </div>
      <div className="mt-4 flex flex-wrap gap-2">
        <Button type="submit">{t("apply")}</Button>
        <Button
          variant="secondary"
          onClick={() => {
            setDraft(EMPTY);
            apply(EMPTY);
          }}
        >
          {t("clear")}
        </Button>
      </div>
    </form>
  );
}
