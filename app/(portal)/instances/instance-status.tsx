"use client";
// How an instance's state reads everywhere (list, detail, dashboard): a coloured badge for the state,
// and while an action is under way a line such as "Creating 45%" with a small bar under it.
import { useTranslations } from "next-intl";
import type { InstanceView } from "@/app/_trpc/views";
import { isTransitional, type InstanceState } from "@/common/instance-states";
import { Badge, type BadgeTone } from "@/app/_components/badge";
import { ProgressBar } from "@/app/_components/progress-bar";

const TONE: Record<InstanceState, BadgeTone> = {
  PENDING: "info",
  SCHEDULED: "info",
  BUILDING: "info",
  RUNNING: "success",
  STOPPING: "warning",
  STOPPED: "neutral",
  DELETING: "warning",
  DELETED: "neutral",
  ERROR: "danger",
};

export function StateBadge({ state }: { state: InstanceState }) {
  const t = useTranslations("instances");
  return (
    <span data-testid="instance-state" className="inline-flex">
      <Badge tone={TONE[state]}>
        {/* A pulsing dot marks states that will change by themselves, without relying on colour alone. */}
        {isTransitional(state) && (
          <span aria-hidden className="mr-1.5 size-1.5 animate-pulse rounded-full bg-current" />
        )}
        {t(`states.${state}`)}
      </Badge>
    </span>
  );
}

/** The task's name in the current language; an unknown task (a newer agent) keeps its raw name. */
function useTaskLabel() {
  const t = useTranslations("instances");
  return (task: string): string => {
    const key = `tasks.${task}` as Parameters<typeof t>[0];
    return t.has(key) ? t(key) : task.charAt(0).toUpperCase() + task.slice(1);
  };
}

type StatusFields = Pick<InstanceView, "state" | "task" | "progress">;

interface TaskProgressProps {
  instance: StatusFields;
  className?: string;
  /** The table keeps the bar short; the detail page lets it span the card. */
  barClassName?: string;
}

export function TaskProgress({ instance, className = "", barClassName = "max-w-28" }: TaskProgressProps) {
  const t = useTranslations("instances");
  const taskLabel = useTaskLabel();
  if (!instance.task) return null;
  const task = taskLabel(instance.task);
  // "Stopping" next to a "Stopping" badge says nothing new: then only the percentage is shown.
  const sameAsState = task === t(`states.${instance.state}`);
  const percent = instance.progress === null ? null : Math.round(instance.progress);
  const text =
    percent !== null
      ? sameAsState
        ? t("percent", { percent })
        : t("taskProgress", { task, percent })
      : sameAsState
        ? null
        : t("taskUnderway", { task });
  return (
    <div className={`space-y-1 ${className}`}>
      {text && (
        <p data-testid="instance-task" className="text-xs tabular-nums text-slate-600 dark:text-slate-400">
          {text}
        </p>
      )}
      <ProgressBar value={percent} label={t("progressLabel")} className={barClassName} />
    </div>
  );
}

/** Badge and task together, as one table cell shows them. */
export function InstanceStatus({ instance }: { instance: StatusFields }) {
  return (
    <div className="min-w-24 space-y-1.5">
      <StateBadge state={instance.state} />
      <TaskProgress instance={instance} />
    </div>
  );
}

export function AccelLabel({ accel }: { accel: InstanceView["accel"] }) {
  const t = useTranslations("instances");
  const tc = useTranslations("common");
  if (!accel) return <>{tc("none")}</>;
  return <>{t(`accel_${accel}`)}</>;
}

/** The host's name, with a warning when it has stopped sending heartbeats. */
export function HostCell({ host }: { host: InstanceView["host"] }) {
  const t = useTranslations("instances");
  if (!host) return <span className="text-slate-500 dark:text-slate-400">{t("notPlaced")}</span>;
  return (
    <span className="flex flex-wrap items-center gap-1.5">
      <span className="whitespace-nowrap">{host.name}</span>
      {!host.up && (
        <span title={t("hostDownHint")} data-testid="host-down">
          <Badge tone="warning">{t("hostDown")}</Badge>
        </span>
      )}
    </span>
  );
}
