import type { HTMLAttributes, ReactNode } from "react";

export function Card({ className = "", ...rest }: HTMLAttributes<HTMLElement>) {
  return (
    <section
      className={`rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900 ${className}`}
      {...rest}
    />
  );
}

/** Card heading row: a title, and optionally something on the right (a badge, a button). */
export function CardHeader({
  title,
  aside,
  level = 2,
}: {
  title: ReactNode;
  aside?: ReactNode;
  level?: 2 | 3;
}) {
  const H = level === 2 ? "h2" : "h3";
  return (
    <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
      <H className="text-base font-semibold text-slate-900 dark:text-slate-100">{title}</H>
      {aside}
    </div>
  );
}
