"use client";
// A fieldset of checkboxes for choosing several ids (groups of a user, members of a group, hosts of a
// network: numeric or string ids).
// Each checkbox has its own label, so getByLabel("Teachers") checks that one.
import { useId, type ReactNode } from "react";

interface CheckboxGroupProps<Id extends number | string> {
  legend: ReactNode;
  options: readonly { id: Id; label: string; detail?: string }[];
  value: readonly Id[];
  onChange: (next: Id[]) => void;
  error?: string | null;
  empty?: ReactNode;
  /** Long lists scroll inside the form instead of pushing the buttons off screen. */
  maxHeightClass?: string;
}

export function CheckboxGroup<Id extends number | string>({
  legend,
  options,
  value,
  onChange,
  error,
  empty,
  maxHeightClass = "max-h-48",
}: CheckboxGroupProps<Id>) {
  const id = useId();
  const toggle = (optionId: Id, checked: boolean) =>
    onChange(checked ? [...value, optionId] : value.filter((v) => v !== optionId));
  return (
    <fieldset className="space-y-1" aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">{legend}</legend>
      {options.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">{empty}</p>
      ) : (
        <div
          className={`${maxHeightClass} space-y-1 overflow-y-auto rounded-md border border-slate-200 p-2 dark:border-slate-700`}
        >
          {options.map((o) => (
            <label
              key={o.id}
              className="flex cursor-pointer items-center gap-2 rounded px-1 py-0.5 text-sm hover:bg-slate-50 dark:hover:bg-slate-800"
            >
              <input
                type="checkbox"
                className="size-4 accent-indigo-600"
                checked={value.includes(o.id)}
                onChange={(e) => toggle(o.id, e.target.checked)}
              />
              <span>{o.label}</span>
              {o.detail && <span className="text-xs text-slate-500 dark:text-slate-400">{o.detail}</span>}
            </label>
          ))}
        </div>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </fieldset>
  );
}
