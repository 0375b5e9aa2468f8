"use client";
// "You use 3 of 4 instances, 2 of 4 GiB RAM…": the signed-in user's own limits and use, then each of
// their groups' (a request in a group must fit both; the tighter limit is the one that holds).
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { Card, CardHeader } from "@/app/_components/card";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import { QuotaBars } from "./quota-bars";

export function MyUsage() {
  const t = useTranslations("usage");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const mine = useQuery(trpc.quotas.mine.queryOptions());

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {mine.isError && !mine.data ? (
        <QueryError error={mine.error} onRetry={() => void mine.refetch()} retrying={mine.isFetching} />
      ) : !mine.data ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">{tc("loading")}</p>
      ) : (
        <div className="space-y-6">
          <Card aria-labelledby="usage-own">
            <CardHeader title={<span id="usage-own">{t("yours")}</span>} />
            <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">{t("yoursHint")}</p>
            <QuotaBars usage={mine.data.user.usage} limits={mine.data.user.limits} />
          </Card>
          {mine.data.groups.map((g) => (
            <Card key={g.id} aria-labelledby={`usage-group-${g.id}`}>
              <CardHeader
                title={<span id={`usage-group-${g.id}`}>{t("groupTitle", { group: g.name })}</span>}
                aside={
                  g.administers && (
                    <Link
                      href={`/usage/groups/${g.id}`}
                      className="text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {t("membersUsage")}
                    </Link>
                  )
                }
              />
              <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">{t("groupHint")}</p>
              <QuotaBars usage={g.usage} limits={g.limits} />
            </Card>
          ))}
        </div>
      )}
    </>
  );
}
