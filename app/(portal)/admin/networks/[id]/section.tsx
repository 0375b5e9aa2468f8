// A titled block of the network page: a heading (with an optional hint and buttons) above a table.
// Tables bring their own border and background, so they are not wrapped in a second card.
import { useId, type ReactNode } from "react";

export function Section({
  title,
  hint,
  actions,
  children,
  className = "",
}: {
  title: ReactNode;
  hint?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  return (
    <section aria-labelledby={id} className={className}>
      <div className="mb-2 flex flex-wrap items-end justify-between gap-2">
        <div className="min-w-0">
          <h2 id={id} className="text-base font-semibold text-slate-900 dark:text-slate-100">
            {title}
          </h2>
          {hint && <p className="text-xs text-slate-500 dark:text-slate-400">{hint}</p>}
        </div>
        {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
      </div>
      {children}
    </section>
  );
}
