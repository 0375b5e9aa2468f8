"use client";
// One bar per quota: "3 of 4" with how full it is, or "3 · no limit" when nothing limits that key.
// Shared by the user's usage page, the group usage view and the admin page.
import { useLocale, useTranslations } from "next-intl";
import { QUOTA_KEYS, shareUsed, type QuotaKey, type QuotaLimits, type QuotaUsage } from "@/common/quotas";
import { ProgressBar, usageTone } from "@/app/_components/progress-bar";
import { formatNumber } from "@/app/_lib/units";

/** RAM reads in GiB (limits are kept in MiB, as flavors are); the rest as counted. */
export function useQuotaAmount() {
  const locale = useLocale();
  const t = useTranslations("usage");
  return (key: QuotaKey, value: number) =>
    key === "ramMiB"
      ? t("gib", { n: formatNumber(value / 1024, locale, 2) })
      : key === "diskGiB" || key === "imageGiB"
        ? t("gib", { n: formatNumber(value, locale, 2) })
        : formatNumber(value, locale, 0);
}

export function QuotaBars({ usage, limits }: { usage: QuotaUsage; limits: QuotaLimits }) {
  const t = useTranslations("usage");
  const amount = useQuotaAmount();
  return (
    <dl className="grid gap-x-8 gap-y-4 sm:grid-cols-2">
      {QUOTA_KEYS.map((key) => {
        const limit = limits[key];
        const share = shareUsed(usage[key], limit);
        const text =
          limit === null || limit === undefined
            ? t("noLimit", { used: amount(key, usage[key]) })
            : t("usedOf", { used: amount(key, usage[key]), limit: amount(key, limit) });
        return (
          <div key={key} data-quota={key}>
            <div className="mb-1 flex items-baseline justify-between gap-3 text-sm">
              <dt className="font-medium text-slate-700 dark:text-slate-200">{t(`keys.${key}`)}</dt>
              <dd className="tabular-nums text-slate-600 dark:text-slate-300">{text}</dd>
            </div>
            {share === null ? (
              <div className="h-1.5 w-full rounded-full border border-dashed border-slate-300 dark:border-slate-600" />
            ) : (
              <ProgressBar
                value={share * 100}
                tone={usageTone(share * 100)}
                label={`${t(`keys.${key}`)}: ${text}`}
              />
            )}
          </div>
        );
      })}
    </dl>
  );
}

/** "3 / 4" for a table cell ("3" alone when nothing limits it), amber and red as it fills. */
export function QuotaCell({
  used,
  limit,
  k,
}: {
  used: number;
  limit: number | null | undefined;
  k: QuotaKey;
}) {
  const amount = useQuotaAmount();
  const share = shareUsed(used, limit);
  const tone =
    share === null || share < 0.8
      ? ""
      : share >= 0.95
        ? "text-red-700 dark:text-red-400 font-semibold"
        : "text-amber-700 dark:text-amber-400";
  return (
    <span className={`tabular-nums whitespace-nowrap ${tone}`}>
      {amount(k, used)}
      {limit !== null && limit !== undefined && (
        <span className="text-slate-500 dark:text-slate-400"> / {amount(k, limit)}</span>
      )}
    </span>
  );
}
