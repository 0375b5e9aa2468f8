"use client";
// The denser cells of the hosts table, kept apart so the table itself stays readable.
import { useLocale, useTranslations } from "next-intl";
import type { HostView } from "@/app/_trpc/views";
import { ProgressBar, usageTone } from "@/app/_components/progress-bar";
import { bytesToGiB, formatNumber, percentOf } from "@/app/_lib/units";

export function HeartbeatAge({ seconds }: { seconds: number | null }) {
  const t = useTranslations("hosts");
  if (seconds === null) return <>{t("never")}</>;
  if (seconds < 120) return <>{t("ageSeconds", { seconds })}</>;
  if (seconds < 7200) return <>{t("ageMinutes", { minutes: Math.floor(seconds / 60) })}</>;
  if (seconds < 172800) return <>{t("ageHours", { hours: Math.floor(seconds / 3600) })}</>;
  return <>{t("ageDays", { days: Math.floor(seconds / 86400) })}</>;
}

/** CPU, RAM and free disk as the agent last reported them (physical, before overcommit). */
export function HardwareCell({ facts }: { facts: HostView["facts"] }) {
  const t = useTranslations("hosts");
  const locale = useLocale();
  const gib = (bytes: number) => formatNumber(bytesToGiB(bytes), locale);
  return (
    <div className="space-y-0.5 tabular-nums">
      <span className="block">{t("cpuCount", { count: facts.cpuCount })}</span>
      <span className="block max-w-44 truncate text-slate-500 dark:text-slate-400" title={facts.cpuModel}>
        {facts.cpuModel}
      </span>
      <span className="block">{t("memoryValue", { memoryMiB: String(facts.memoryMiB) })}</span>
      <span className="block">
        {t("diskFree", { free: gib(facts.diskFreeBytes) })}
        {facts.diskTotalBytes > 0 && (
          <span className="text-slate-500 dark:text-slate-400">
            {" "}
            {t("diskTotal", { total: gib(facts.diskTotalBytes) })}
          </span>
        )}
      </span>
    </div>
  );
}

export function HypervisorsCell({ facts }: { facts: HostView["facts"] }) {
  const t = useTranslations("hosts");
  const tc = useTranslations("common");
  if (facts.hypervisors.length === 0) return <>{tc("none")}</>;
  return (
    <ul className="space-y-0.5">
      {facts.hypervisors.map((h) => (
        // An unavailable hypervisor stays listed, greyed, with the agent's reason on hover.
        <li key={h.kind} title={h.reason} className={h.available ? "" : "text-slate-400 dark:text-slate-500"}>
          {h.kind}
          {h.version ? ` ${h.version}` : ""}
          {!h.available && ` (${t("unavailable")})`}
        </li>
      ))}
    </ul>
  );
}

/** Reserved against overcommitted capacity, as the scheduler counts it. */
/**
 * What the scheduler has placed on the host, and how many instances that is (one column less: the Hosts
 * table fits a laptop). A lab PC in a local desktops cluster gets nothing from the scheduler: its bars
 * would only ever say 0, so it says why instead (its own desktops are listed below the table).
 */
export function CapacityCell({ host, localMode = false }: { host: HostView; localMode?: boolean }) {
  const t = useTranslations("hosts");
  const cpu = percentOf(host.used.vcpusUsed, host.capacity.vcpus);
  const mem = percentOf(host.used.memoryMiBUsed, host.capacity.memoryMiB);
  if (localMode && host.used.instanceCount === 0)
    return <p className="max-w-32 text-xs text-slate-500 dark:text-slate-400">{t("localModeCapacity")}</p>;
  return (
    <div className="space-y-2 text-xs tabular-nums">
      <div className="space-y-1">
        <span className="block whitespace-nowrap">
          {t("vcpusUsed", { used: String(host.used.vcpusUsed), total: String(host.capacity.vcpus) })}
        </span>
        <ProgressBar value={cpu} tone={usageTone(cpu)} label={t("vcpusBar")} />
      </div>
      <div className="space-y-1">
        <span className="block whitespace-nowrap">
          {t("memoryUsed", { used: String(host.used.memoryMiBUsed), total: String(host.capacity.memoryMiB) })}
        </span>
        <ProgressBar value={mem} tone={usageTone(mem)} label={t("memoryBar")} />
      </div>
      <span
        className="block whitespace-nowrap text-slate-600 dark:text-slate-300"
        data-testid="host-instances"
      >
        {t("instanceCount", { count: host.used.instanceCount })}
      </span>
    </div>
  );
}
