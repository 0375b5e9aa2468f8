"use client";
// Form controls with a real <label htmlFor> and an error line wired up through aria-describedby,
// so screen readers (and Playwright's getByLabel) find the control by its visible name.
import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";

const controlClasses =
  "block w-full rounded-md border bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 " +
  "focus:outline-2 focus:outline-offset-0 focus:outline-indigo-500 disabled:opacity-60 " +
  "dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-500 ";

function borderFor(error?: string | null) {
  return error ? "border-red-500 dark:border-red-400" : "border-slate-300 dark:border-slate-600";
}

interface FieldShellProps {
  id: string;
  label: ReactNode;
  error?: string | null;
  hint?: ReactNode;
  /** Screen-reader-only label, for compact controls such as the top bar's switches. */
  hideLabel?: boolean;
  className?: string;
  children: ReactNode;
}

function FieldShell({ id, label, error, hint, hideLabel, className = "", children }: FieldShellProps) {
  return (
    <div className={`space-y-1 ${className}`}>
      <label
        htmlFor={id}
        className={hideLabel ? "sr-only" : "block text-sm font-medium text-slate-700 dark:text-slate-200"}
      >
        {label}
      </label>
      {children}
      {hint && !error && (
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

function describedBy(id: string, error?: string | null, hint?: ReactNode) {
  return error ? `${id}-error` : hint ? `${id}-hint` : undefined;
}

interface InputProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: ReactNode;
  error?: string | null;
  hint?: ReactNode;
  hideLabel?: boolean;
  fieldClassName?: string;
}

export function Input({
  label,
  error,
  hint,
  hideLabel,
  fieldClassName,
  className = "",
  ...rest
}: InputProps) {
  const id = useId();
  return (
    <FieldShell
      id={id}
      label={label}
      error={error}
      hint={hint}
      hideLabel={hideLabel}
      className={fieldClassName}
    >
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        className={`${controlClasses} ${borderFor(error)} ${className}`}
        {...rest}
      />
    </FieldShell>
  );
}

interface TextareaProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id"> {
  label: ReactNode;
  error?: string | null;
  hint?: ReactNode;
}

export function Textarea({ label, error, hint, className = "", ...rest }: TextareaProps) {
  const id = useId();
  return (
    <FieldShell id={id} label={label} error={error} hint={hint}>
      <textarea
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        className={`${controlClasses} ${borderFor(error)} ${className}`}
        {...rest}
      />
    </FieldShell>
  );
}

interface SelectProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, "id"> {
  label: ReactNode;
  error?: string | null;
  hint?: ReactNode;
  hideLabel?: boolean;
  fieldClassName?: string;
  /** disabled: shown (so the reader sees it exists) but not choosable. */
  options: readonly { value: string; label: string; disabled?: boolean }[];
}

export function Select({
  label,
  error,
  hint,
  hideLabel,
  fieldClassName,
  options,
  className = "",
  ...rest
}: SelectProps) {
  const id = useId();
  return (
    <FieldShell
      id={id}
      label={label}
      error={error}
      hint={hint}
      hideLabel={hideLabel}
      className={fieldClassName}
    >
      <select
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        className={`${controlClasses} ${borderFor(error)} pr-8 ${className}`}
        {...rest}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}
