"use client";
// A host's cluster and kind. A superAdm moves it here; the server refuses a move while instances the new
// cluster does not take live on the host, and says how many (shown under the select).
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { ClusterView, HostView } from "@/app/_trpc/views";
import { Badge } from "@/app/_components/badge";
import { Select } from "@/app/_components/field";
import { useMutationErrorText } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import { kindLabel } from "../clusters/cluster-form-dialog";

export function ClusterCell({
  host,
  clusters,
  canChange,
  onChanged,
}: {
  host: HostView;
  clusters: readonly ClusterView[];
  canChange: boolean;
  onChanged: (text: string) => void;
}) {
  const t = useTranslations("hosts");
  const tk = useTranslations("clusters");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const move = useMutation(trpc.hosts.setCluster.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const current = clusters.find((c) => c.id === host.clusterId) ?? null;

  async function change(value: string) {
    setError(null);
    const clusterId = value === "" ? null : Number(value);
    try {
      await move.mutateAsync({ hostId: host.id, clusterId });
      const target = clusters.find((c) => c.id === clusterId);
      onChanged(
        target
          ? t("clusterMoved", { name: host.name, cluster: target.name })
          : t("clusterCleared", { name: host.name }),
      );
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div className="min-w-32 space-y-1.5" data-testid="host-cluster">
      {canChange ? (
        <Select
          label={t("clusterLabel", { name: host.name })}
          hideLabel
          className="max-w-36"
          // The select is narrow (the table fits a laptop); a long cluster name shows on hover.
          title={current?.name}
          value={host.clusterId === null ? "" : String(host.clusterId)}
          disabled={move.isPending}
          onChange={(e) => void change(e.target.value)}
          error={error ?? undefined}
          options={[
            { value: "", label: t("noClusterShort") },
            ...clusters.map((c) => ({ value: String(c.id), label: c.name })),
          ]}
        />
      ) : (
        <span className="block text-sm">{current?.name ?? t("noClusterShort")}</span>
      )}
      {/* The kind is what matters (what the host takes); "no cluster" wraps as a sentence rather than
          a badge wider than the select. */}
      {current ? (
        <Badge tone="info">{kindLabel(tk, current.kind)}</Badge>
      ) : (
        <span className="block max-w-36 text-xs text-slate-500 dark:text-slate-400">{t("noCluster")}</span>
        )}
      {/* The agent says it runs in local mode: nothing is placed here whatever the cluster (decision 016). */}
      {host.facts.localMode && (
        <div data-testid="host-local-mode" className="space-y-1">
          <span title={t("localModeHint")}>
            <Badge tone="warning">{t("localMode")}</Badge>
          </span>
          <p className="max-w-48 text-xs text-slate-500 dark:text-slate-400">
            {current?.kind === "local" ? t("localModeHint") : t("localModeOutsideCluster")}
          </p>
        </div>
      )}
    </div>
  );
}
