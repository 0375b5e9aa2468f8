"use client";
// The dashboard's "Your machines": the person's own newest instances with their live state; one small
// page from the server (owner filter), with how many more there are.
import { useTranslations } from "next-intl";
import Link from "next/link";
import { EmptyState } from "@/app/_components/empty-state";
import { QueryError } from "@/app/_components/query-error";
import { InstanceStatus } from "./instances/instance-status";
import { useOwnInstances } from "./instances/use-instances";

const SHOWN = 5;

export function MyInstances({ ownerId }: { ownerId: number }) {
  const t = useTranslations();
  // Administrators can list other people's instances too; "your machines" means the ones you own.
  const list = useOwnInstances(ownerId, SHOWN);
  const mine = list.data?.items;
  const more = (list.data?.total ?? 0) - (mine?.length ?? 0);

  if (list.isPending)
    return <p className="text-sm text-slate-500 dark:text-slate-400">{t("common.loading")}</p>;
  if (!mine)
    return <QueryError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  if (mine.length === 0)
    return <EmptyState title={t("dashboard.machinesEmpty")}>{t("dashboard.machinesHint")}</EmptyState>;

  return (
    <>
      <ul data-testid="my-instances" className="divide-y divide-slate-100 dark:divide-slate-800">
        {mine.map((i) => (
          <li key={i.id} className="flex flex-wrap items-start justify-between gap-3 py-2.5">
            <div className="min-w-0">
              <Link
                href={`/instances/${i.id}`}
                className="font-medium break-all text-indigo-700 hover:underline dark:text-indigo-300"
              >
                {i.name}
              </Link>
              <p className="text-xs text-slate-500 dark:text-slate-400">
                {i.image.name} · {t("instances.size", { vcpus: i.vcpus, memoryMiB: String(i.memoryMiB) })}
              </p>
            </div>
            <InstanceStatus instance={i} />
          </li>
        ))}
      </ul>
      {more > 0 && (
        <p className="mt-2 text-sm text-slate-500 dark:text-slate-400">
          {t("dashboard.machinesMore", { count: more })}
        </p>
      )}
    </>
  );
}
