"use client";
// The denser cells shared by the networks table and a network's own page.
import { useTranslations } from "next-intl";
import type { NetworkView } from "@/app/_trpc/views";
import { Badge } from "@/app/_components/badge";
import { ProgressBar, usageTone } from "@/app/_components/progress-bar";
import { percentOf } from "@/app/_lib/units";

/** Taken = used outside subnets plus whole subnet blocks: what the free pool no longer has. */
export function UsageCell({ usage }: { usage: NetworkView["usage"] }) {
  const t = useTranslations("networks");
  const taken = percentOf(usage.capacity - usage.free, usage.capacity);
  return (
    <div className="min-w-36 space-y-1 text-xs tabular-nums">
      <span className="block whitespace-nowrap">
        {t("usageUsedFree", { used: usage.used, free: usage.free })}
      </span>
      <ProgressBar value={taken} tone={usageTone(taken)} label={t("usageBar")} />
      {/* Two unbreakable halves: a narrow column wraps between them, not inside one. */}
      <span className="block text-slate-500 dark:text-slate-400">
        <span className="whitespace-nowrap">{t("usageInSubnets", { count: usage.inSubnets })} ·</span>{" "}
        <span className="whitespace-nowrap">{t("usageCapacity", { count: usage.capacity })}</span>
      </span>
    </div>
  );
}

export function KindBadge({ kind }: { kind: NetworkView["kind"] }) {
  const t = useTranslations("networks");
  return <Badge tone={kind === "infrastructure" ? "warning" : "info"}>{t(`kinds.${kind}`)}</Badge>;
}

/** "VLAN 20 on eth1", "eth1" (untagged uplink) or "host-only". */
export function VlanText({ network: n }: { network: Pick<NetworkView, "vlanId" | "uplink"> }) {
  const t = useTranslations("networks");
  if (n.vlanId !== null) return <>{t("vlanOn", { vlan: String(n.vlanId), uplink: n.uplink ?? "?" })}</>;
  if (n.uplink) return <>{t("untaggedOn", { uplink: n.uplink })}</>;
  return <span className="text-slate-500 dark:text-slate-400">{t("hostOnly")}</span>;
}

/** "All hosts", or the chosen hosts' names (ids of hosts that left are shown short). */
export function HostsText({
  network: n,
  hostNames,
}: {
  network: Pick<NetworkView, "allHosts" | "hostIds">;
  hostNames: Map<string, string> | null;
}) {
  const t = useTranslations("networks");
  if (n.allHosts) return <span className="whitespace-nowrap">{t("hostsAll")}</span>;
  const names = n.hostIds.map((id) => hostNames?.get(id) ?? id.slice(0, 8));
  return <span className="break-words">{names.join(", ")}</span>;
}
