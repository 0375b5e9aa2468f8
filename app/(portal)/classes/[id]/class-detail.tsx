"use client";
// A class as its teacher runs it: members, the catalogue, the members' machines (live, like the
// instances list) and the deployments made with "Create one machine per student".
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { isBusy } from "@/common/instance-states";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import type { InstanceActionPermissions } from "../../instances/instance-actions";
import { refreshInterval } from "../../instances/use-instances";
import { GroupUsage } from "../../usage/group-usage";
import { CatalogueCard } from "./catalogue-card";
import { DeployDialog } from "./deploy-dialog";
import { MachinesCard } from "./machines-card";
import { MembersCard } from "./members-card";

export type Flash = { tone: "success" | "error"; text: string } | null;

export function ClassDetail({
  id,
  isSuperAdm,
  allowed,
}: {
  id: number;
  isSuperAdm: boolean;
  allowed: InstanceActionPermissions;
}) {
  const t = useTranslations("classes");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [flash, setFlash] = useState<Flash>(null);
  const [deploying, setDeploying] = useState(false);
  const detail = useQuery(
    trpc.classes.get.queryOptions(
      { id },
      // Machines change by themselves (a build, a stop): refresh fast while any is in motion.
      { refetchInterval: (q) => refreshInterval(!!q.state.data?.machines.some(isBusy)) },
    ),
  );
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.classes.get.queryKey({ id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.classes.list.queryKey() }),
      queryClient.invalidateQueries(trpc.instances.pathFilter()),
      // The usage part counts the machines too: after a deployment or a removal it would show the old use.
      queryClient.invalidateQueries({ queryKey: trpc.quotas.group.queryKey({ groupId: id }) }),
    ]);

  if (!detail.data)
    return detail.isError ? (
      <QueryError error={detail.error} onRetry={() => void detail.refetch()} retrying={detail.isFetching} />
    ) : (
      <p className="text-sm text-slate-500">{tc("loading")}</p>
    );
  const c = detail.data;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/classes" className="text-indigo-700 hover:underline dark:text-indigo-300">
          {t("backToClasses")}
        </Link>
      </p>
      <PageHeader
        title={c.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone={c.kind === "class" ? "info" : "neutral"}>{t(`kind.${c.kind}`)}</Badge>
            {c.description}
          </span>
        }
        actions={
          <Button
            onClick={() => {
              setFlash(null);
              setDeploying(true);
            }}
          >
            {t("deploy")}
          </Button>
        }
      />
      {flash && (
        <Alert tone={flash.tone} className="mb-4" data-testid="flash">
          {flash.text}
        </Alert>
      )}
      {detail.isError && (
        <p className="mb-3 text-sm text-amber-700 dark:text-amber-300">{t("refreshFailed")}</p>
      )}

      <div className="space-y-6">
        <MachinesCard detail={c} allowed={allowed} onFlash={setFlash} onChanged={refresh} />
        <GroupUsage groupId={c.id} />
        <MembersCard detail={c} isSuperAdm={isSuperAdm} onFlash={setFlash} onChanged={refresh} />
        <CatalogueCard detail={c} isSuperAdm={isSuperAdm} onFlash={setFlash} onChanged={refresh} />
      </div>

      <DeployDialog
        open={deploying}
        detail={c}
        onClose={() => setDeploying(false)}
        onDone={(text) => {
          setFlash({ tone: "success", text });
          void refresh();
        }}
      />
    </>
  );
}
