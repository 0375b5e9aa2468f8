"use client";
// One network: its settings, who holds how much of it, its subnets and addresses, and what each host
// did with it. Polls every 5 s: hosts report their bridges and instances take addresses meanwhile.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useMemo, useState, type ReactNode } from "react";
import type { NetworkDetail as Detail } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Button, ButtonLink } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { QueryError } from "@/app/_components/query-error";
import { readError } from "@/app/_lib/trpc-error";
import { useTRPC } from "@/app/_trpc/client";
import { HostsText, KindBadge, UsageCell, VlanText } from "../network-cells";
import { AddressesSection } from "./addresses-section";
import { EditNetworkDialog } from "./edit-network-dialog";
import { HostStatesTable } from "./host-states-table";
import { PerOwnerTable } from "./per-owner-table";
import { SubnetsSection } from "./subnets-section";

const REFRESH_MS = 5_000;
/** A malformed id is answered with BAD_REQUEST; to the person it is just as missing as an unknown one. */
const GONE_CODES = new Set(["NOT_FOUND", "BAD_REQUEST"]);

export interface NetworkPermissions {
  update: boolean;
  carveSubnet: boolean;
  confirmSubnet: boolean;
  deleteSubnet: boolean;
  allocateAddress: boolean;
  releaseAddress: boolean;
}

export interface Flash {
  tone: "success" | "error";
  text: string;
}

export function NetworkDetail({ id, allowed }: { id: string; allowed: NetworkPermissions }) {
  const t = useTranslations("network");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [flash, setFlash] = useState<Flash | null>(null);
  const [editing, setEditing] = useState(false);
  const detail = useQuery(trpc.networks.get.queryOptions({ id }, { refetchInterval: REFRESH_MS }));
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const hostNames = useMemo(
    () => (hosts.data ? new Map(hosts.data.map((h) => [h.id, h.name])) : null),
    [hosts.data],
  );
  const code = detail.isError ? readError(detail.error).code : null;

  /** After any change: this page, and the list's usage figures. */
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.networks.get.queryKey({ id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.networks.list.queryKey() }),
    ]);
  const onMessage = (message: Flash | null) => {
    setFlash(message);
    if (message) void refresh();
  };

  if (detail.isPending)
    return (
      <p role="status" className="py-10 text-sm text-slate-500 dark:text-slate-400">
        {tc("loading")}
      </p>
    );
  if (code !== null && GONE_CODES.has(code)) {
    return (
      <Card className="mx-auto max-w-xl text-center">
        <h1 className="text-xl font-semibold">{t("goneTitle")}</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{t("goneBody")}</p>
        <ButtonLink href="/admin/networks" variant="secondary" className="mt-5">
          {t("back")}
        </ButtonLink>
      </Card>
    );
  }
  if (!detail.data)
    return (
      <QueryError error={detail.error} onRetry={() => void detail.refetch()} retrying={detail.isFetching} />
    );
  const data = detail.data;
  const n = data.network;

  return (
    <>
      <Link
        href="/admin/networks"
        className="mb-3 inline-block text-sm text-indigo-700 hover:underline dark:text-indigo-300"
      >
        <span aria-hidden>← </span>
        {t("back")}
      </Link>
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <h1 className="break-all text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-50">
            {n.name}
          </h1>
          <div className="mt-2 flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-400">
            <span className="font-mono">{n.cidr}</span>
            <KindBadge kind={n.kind} />
          </div>
        </div>
        {allowed.update && (
          <Button
            variant="secondary"
            onClick={() => {
              setFlash(null);
              setEditing(true);
            }}
          >
            {t("edit")}
          </Button>
        )}
      </div>

      <div className="space-y-6">
        {flash && (
          <Alert tone={flash.tone} data-testid="flash">
            {flash.text}
          </Alert>
        )}
        {/* A failed poll keeps the last known state on screen, with a note, rather than blanking the page. */}
        {detail.isError && <QueryError error={detail.error} />}
        <div className="grid gap-6 lg:grid-cols-5">
          <Settings detail={data} hostNames={hostNames} className="lg:col-span-3" />
          <div className="space-y-6 lg:col-span-2">
            <Card aria-labelledby="network-usage-heading">
              <h2
                id="network-usage-heading"
                className="mb-3 text-base font-semibold text-slate-900 dark:text-slate-100"
              >
                {t("usage")}
              </h2>
              <UsageCell usage={n.usage} />
            </Card>
            <PerOwnerTable perOwner={data.perOwner} />
          </div>
        </div>
        <SubnetsSection network={n} subnets={data.subnets} allowed={allowed} onMessage={onMessage} />
        <AddressesSection
          network={n}
          addresses={data.addresses}
          subnets={data.subnets}
          allowed={allowed}
          onMessage={onMessage}
        />
        <HostStatesTable network={n} hostStates={data.hostStates} />
      </div>

      {allowed.update && (
        <EditNetworkDialog
          open={editing}
          network={n}
          hosts={hosts.data}
          onClose={() => setEditing(false)}
          onDone={(text) => {
            setEditing(false);
            onMessage({ tone: "success", text });
          }}
        />
      )}
    </>
  );
}

function Settings({
  detail,
  hostNames,
  className,
}: {
  detail: Detail;
  hostNames: Map<string, string> | null;
  className?: string;
}) {
  const t = useTranslations("network");
  const tn = useTranslations("networks");
  const tc = useTranslations("common");
  const n = detail.network;
  const rows: [string, ReactNode][] = [
    [
      tn("cidr"),
      <span key="cidr" className="font-mono">
        {n.cidr}
      </span>,
    ],
    [
      tn("gateway"),
      <span key="gw" className="font-mono">
        {n.gateway}
      </span>,
    ],
    [
      tn("dnsServers"),
      n.dnsServers.length ? (
        <span key="dns" className="font-mono">
          {n.dnsServers.join(", ")}
        </span>
      ) : (
        t("dnsNone")
      ),
    ],
    [tn("colVlan"), <VlanText key="vlan" network={n} />],
    [tn("nat"), n.nat ? tc("yes") : tc("no")],
    [tn("hosts"), <HostsText key="hosts" network={n} hostNames={hostNames} />],
    [
      t("bridge"),
      <code key="bridge" className="text-xs">
        {n.bridge}
      </code>,
    ],
    [t("revision"), n.revision],
  ];
  return (
    <Card className={className}>
      <CardHeader title={t("settings")} />
      <dl className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
        {rows.map(([label, value]) => (
          <div key={label} className="grid grid-cols-5 gap-3 py-2">
            <dt className="col-span-2 text-slate-500 dark:text-slate-400">{label}</dt>
            <dd className="col-span-3 min-w-0 break-words text-slate-900 dark:text-slate-100">{value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
