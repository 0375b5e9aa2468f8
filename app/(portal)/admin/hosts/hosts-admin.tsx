"use client";
// The hypervisor hosts: are they alive, what can they do, how full are they. Polls every 5 s so a host
// that stops sending heartbeats turns "Down" on screen by itself.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import type { HostView } from "@/app/_trpc/views";
import type { JoinToken } from "@/app/_trpc/views";
import { ActionsCell, AdminTable } from "@/app/(portal)/_components/admin-table";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { PageHeader } from "@/app/_components/page-header";
import { useMutationErrorText } from "@/app/_components/query-error";
import { Truncated } from "@/app/_components/truncated";
import { Td, Tr } from "@/app/_components/table";
import { formatDateTime } from "@/app/_lib/format";
import { useMessage } from "@/app/_lib/render-message";
import { useTRPC } from "@/app/_trpc/client";
import { ClusterCell } from "./cluster-cell";
import { ConsoleUrlCell } from "./console-url-cell";
import { CapacityCell, HardwareCell, HeartbeatAge, HypervisorsCell } from "./host-cells";
import { JoinClusterDialog } from "./join-cluster-dialog";
import { JoinHostDialog } from "./join-host-dialog";

const REFRESH_MS = 5_000;

const CONFIRM = {
  revoke: { title: "revokeTitle", body: "revokeExplain", label: "revoke" },
  rotateCredentials: { title: "rotateTitle", body: "rotateExplain", label: "rotateConfirm" },
  remove: { title: "removeTitle", body: "removeExplain", label: "remove" },
} as const;

type Lifecycle = "revoke" | "rotateCredentials" | "remove";

export function HostsAdmin({
  allowed,
}: {
  allowed: {
    createJoinToken: boolean;
    setEnabled: boolean;
    setConsoleUrl: boolean;
    setCluster: boolean;
    listClusters: boolean;
  } & Record<Lifecycle, boolean>;
}) {
  const t = useTranslations("hosts");
  const render = useMessage();
  const locale = useLocale();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const [flash, setFlash] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [joinToken, setJoinToken] = useState<JoinToken | null>(null);
  const hosts = useQuery(trpc.hosts.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const createToken = useMutation(trpc.hosts.createJoinToken.mutationOptions());
  const clusters = useQuery(trpc.clusters.list.queryOptions(undefined, { enabled: allowed.listClusters }));
  // Where the new host lands: asked only once there are clusters (a one-host school never sees it).
  const [pickCluster, setPickCluster] = useState<{ error: string | null } | null>(null);
  const [joinCluster, setJoinCluster] = useState<string | null>(null);
  const hasActions = allowed.setEnabled || allowed.revoke || allowed.rotateCredentials || allowed.remove;
  const setEnabled = useMutation(trpc.hosts.setEnabled.mutationOptions());
  const revoke = useMutation(trpc.hosts.revoke.mutationOptions());
  const rotate = useMutation(trpc.hosts.rotateCredentials.mutationOptions());
  const remove = useMutation(trpc.hosts.remove.mutationOptions());
  const [confirming, setConfirming] = useState<{ action: Lifecycle; host: HostView } | null>(null);
  const [rejoin, setRejoin] = useState<{ name: string; token: JoinToken } | null>(null);

  async function runLifecycle(action: Lifecycle, host: HostView) {
    setFlash(null);
    try {
      if (action === "revoke") {
        await revoke.mutateAsync({ id: host.id });
        setFlash({ tone: "success", text: t("revokedDone", { name: host.name }) });
      } else if (action === "rotateCredentials") {
        setRejoin({ name: host.name, token: await rotate.mutateAsync({ id: host.id }) });
      } else {
        await remove.mutateAsync({ id: host.id });
        setFlash({ tone: "success", text: t("removedDone", { name: host.name }) });
      }
    } catch (err) {
      setFlash({ tone: "error", text: errorText(err) });
    }
    setConfirming(null);
    await queryClient.invalidateQueries({ queryKey: trpc.hosts.list.queryKey() });
  }

  async function addHost(clusterId: number | null = null) {
    setFlash(null);
    try {
      const token = await createToken.mutateAsync({ clusterId });
      setPickCluster(null);
      setJoinCluster(clusters.data?.find((c) => c.id === clusterId)?.name ?? null);
      setJoinToken(token);
    } catch (err) {
      if (pickCluster) setPickCluster({ error: errorText(err) });
      else setFlash({ tone: "error", text: errorText(err) });
    }
  }

  async function toggle(host: HostView) {
    setFlash(null);
    try {
      await setEnabled.mutateAsync({ id: host.id, enabled: !host.enabled });
      setFlash({
        tone: "success",
        text: t(host.enabled ? "disabledDone" : "enabledDone", { name: host.name }),
      });
    } catch (err) {
      setFlash({ tone: "error", text: errorText(err) });
    }
    await queryClient.invalidateQueries({ queryKey: trpc.hosts.list.queryKey() });
  }

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          allowed.createJoinToken && (
            <Button
              // Wait for the clusters: whether to ask for one depends on them.
              busy={createToken.isPending || (allowed.listClusters && clusters.isPending)}
              onClick={() => (clusters.data?.length ? setPickCluster({ error: null }) : void addHost())}
            >
              {t("addHost")}
            </Button>
          )
        }
      />
      {flash && (
        <Alert tone={flash.tone} className="mb-4" data-testid="flash">
          {flash.text}
        </Alert>
      )}
      {hosts.isError && hosts.data && (
        <p className="mb-3 text-sm text-amber-700 dark:text-amber-300">{t("refreshFailed")}</p>
      )}
      {hosts.data && hosts.data.length > 0 && (
        <p className="mb-2 text-sm text-slate-500 dark:text-slate-400">
          {t("count", { count: hosts.data.length })}
        </p>
      )}

      <AdminTable
        caption={t("caption")}
        query={hosts}
        dense
        columns={[
          { label: t("colName") },
          { label: t("colHardware") },
          { label: t("colCapacity") },
          { label: t("colCluster") },
          { label: t("colConsole") },
          hasActions && { label: t("colActions"), className: "text-right" },
        ]}
        empty={
          <>
            <span className="block font-medium text-slate-700 dark:text-slate-200">{t("empty")}</span>
            {allowed.createJoinToken && <span className="block">{t("emptyHint")}</span>}
          </>
        }
        row={(h) => (
          <Tr key={h.id} data-testid="host-row">
            {/* Name, state and heartbeat in one cell, hardware and virtualization in the next: the
                      table fits a laptop screen beside the console address and the actions. */}
            <Td className="min-w-32">
              <span className="block font-medium">
                <Truncated text={h.name} className="max-w-[10rem]" />
              </span>
              <div className="mt-1 flex flex-wrap gap-1">
                <Badge tone={h.up ? "success" : "danger"}>{h.up ? t("up") : t("down")}</Badge>
                {!h.enabled && <Badge tone="warning">{t("disabled")}</Badge>}
                {h.revokedAt && (
                  <span title={t("revokedHint")}>
                    <Badge tone="danger">{t("revoked")}</Badge>
                  </span>
                )}
              </div>
              <span
                className="mt-1 block text-xs tabular-nums text-slate-500 dark:text-slate-400"
                title={t("heartbeat")}
              >
                <HeartbeatAge seconds={h.heartbeatAgeSeconds} />
              </span>
            </Td>
            <Td className="min-w-40 text-xs">
              <HardwareCell facts={h.facts} />
              {h.factsRefused && (
                <p
                  role="note"
                  data-testid="facts-refused"
                  className="mt-1.5 max-w-44 text-amber-700 dark:text-amber-300"
                >
                  {t("factsRefused", {
                    time: formatDateTime(h.factsRefused.at, locale),
                    reason: render(h.factsRefused.message),
                  })}
                </p>
              )}
              <div className="mt-2">
                <HypervisorsCell facts={h.facts} />
              </div>
              <div className="mt-1.5">
                {h.accel === "kvm" ? (
                  <Badge tone="success">{t("accelKvm")}</Badge>
                ) : (
                  <span title={render(h.facts.kvmReasonMessage, h.facts.kvmReason)}>
                    <Badge tone="warning">{t("accelTcg")}</Badge>
                  </span>
                )}
              </div>
              {h.accel === "tcg" && h.facts.kvmReason && (
                <span className="mt-1 block max-w-48 text-slate-500 dark:text-slate-400">
                  {render(h.facts.kvmReasonMessage, h.facts.kvmReason)}
                </span>
              )}
            </Td>
            <Td className="min-w-32">
              <CapacityCell
                host={h}
                localMode={clusters.data?.find((c) => c.id === h.clusterId)?.kind === "local"}
              />
            </Td>
            <Td>
              <ClusterCell
                host={h}
                clusters={clusters.data ?? []}
                canChange={allowed.setCluster && clusters.data !== undefined}
                onChanged={(text) => {
                  setFlash({ tone: "success", text });
                  void queryClient.invalidateQueries({ queryKey: trpc.hosts.list.queryKey() });
                  void queryClient.invalidateQueries({ queryKey: trpc.clusters.list.queryKey() });
                }}
              />
            </Td>
            <Td>
              <ConsoleUrlCell
                host={h}
                canChange={allowed.setConsoleUrl}
                onChanged={(text) => {
                  setFlash({ tone: "success", text });
                  void queryClient.invalidateQueries({ queryKey: trpc.hosts.list.queryKey() });
                }}
              />
            </Td>
            {hasActions && (
              <ActionsCell
                stacked
                actions={[
                  allowed.setEnabled && {
                    label: h.enabled ? t("disable") : t("enable"),
                    variant: "secondary",
                    busy: setEnabled.isPending && setEnabled.variables?.id === h.id,
                    onClick: () => void toggle(h),
                  },
                  allowed.rotateCredentials && {
                    label: t("rotate"),
                    variant: "secondary",
                    onClick: () => setConfirming({ action: "rotateCredentials", host: h }),
                  },
                  allowed.revoke &&
                    !h.revokedAt && {
                      label: t("revoke"),
                      variant: "danger",
                      onClick: () => setConfirming({ action: "revoke", host: h }),
                    },
                  allowed.remove && {
                    label: t("remove"),
                    variant: "danger",
                    onClick: () => setConfirming({ action: "remove", host: h }),
                  },
                ]}
              />
            )}
          </Tr>
        )}
      />

      <JoinClusterDialog
        open={pickCluster !== null}
        clusters={clusters.data ?? []}
        busy={createToken.isPending}
        error={pickCluster?.error ?? null}
        onCreate={(clusterId) => void addHost(clusterId)}
        onClose={() => setPickCluster(null)}
      />
      <JoinHostDialog token={joinToken} cluster={joinCluster} onClose={() => setJoinToken(null)} />
      <JoinHostDialog
        token={rejoin?.token ?? null}
        rejoinName={rejoin?.name}
        onClose={() => setRejoin(null)}
      />
      <ConfirmDialog
        open={confirming !== null}
        title={confirming ? t(CONFIRM[confirming.action].title, { name: confirming.host.name }) : ""}
        body={confirming ? t(CONFIRM[confirming.action].body) : ""}
        confirmLabel={confirming ? t(CONFIRM[confirming.action].label) : ""}
        busy={revoke.isPending || rotate.isPending || remove.isPending}
        onConfirm={() => confirming && void runLifecycle(confirming.action, confirming.host)}
        onClose={() => setConfirming(null)}
      />
    </>
  );
}
