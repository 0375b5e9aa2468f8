// A thin bar for task progress, capacity and uploads. Without a value it pulses: the work is under way
// but nobody has reported how far it got (a task that just started).
export type ProgressTone = "info" | "success" | "warning" | "danger";

const fills: Record<ProgressTone, string> = {
  info: "bg-indigo-500 dark:bg-indigo-400",
  success: "bg-emerald-500 dark:bg-emerald-400",
  warning: "bg-amber-500 dark:bg-amber-400",
  danger: "bg-red-500 dark:bg-red-400",
};

interface ProgressBarProps {
  /** 0–100, or null when unknown. */
  value: number | null;
  label: string;
  tone?: ProgressTone;
  className?: string;
}

export function ProgressBar({ value, label, tone = "info", className = "" }: ProgressBarProps) {
  const pct = value === null ? null : Math.min(100, Math.max(0, value));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct === null ? undefined : Math.round(pct)}
      className={`h-1.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700 ${className}`}
    >
      <div
        className={`h-full rounded-full transition-[width] duration-500 ${fills[tone]} ${pct === null ? "w-full animate-pulse opacity-50" : ""}`}
        style={pct === null ? undefined : { width: `${pct}%` }}
      />
    </div>
  );
}

/** Capacity bars turn amber, then red, as a resource fills up. */
export function usageTone(percent: number): ProgressTone {
  return percent >= 95 ? "danger" : percent >= 80 ? "warning" : "success";
}
