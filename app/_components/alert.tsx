import type { HTMLAttributes, ReactNode } from "react";

export type AlertTone = "error" | "success" | "warning" | "info";

const tones: Record<AlertTone, string> = {
  error: "border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950/60 dark:text-red-200",
  success:
    "border-emerald-300 bg-emerald-50 text-emerald-800 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-200",
  warning:
    "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-200",
  info: "border-indigo-200 bg-indigo-50 text-indigo-900 dark:border-indigo-800 dark:bg-indigo-950/60 dark:text-indigo-200",
};

interface AlertProps extends Omit<HTMLAttributes<HTMLDivElement>, "title" | "role"> {
  tone?: AlertTone;
  title?: ReactNode;
}

/**
 * Errors use role="alert" (announced at once); the rest role="status" (announced politely).
 * Next.js adds its own role="alert" (the route announcer), so a form's general error also carries
 * data-testid="form-error" for tests to find it without ambiguity.
 */
export function Alert({ tone = "error", title, children, className = "", ...rest }: AlertProps) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={`rounded-md border px-4 py-3 text-sm ${tones[tone]} ${className}`}
      {...rest}
    >
      {title && <p className="font-semibold">{title}</p>}
      {children && <div className={title ? "mt-1" : undefined}>{children}</div>}
    </div>
  );
}
