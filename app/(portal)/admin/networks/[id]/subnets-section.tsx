"use client";
// The network's subnets. A reserved one counts down to its expiry every second, on this page's clock:
// the page refreshes every few seconds, so the server's own verdict ("expired") follows right after.
import { useMutation } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import type { SubnetView } from "@/app/_trpc/views";
import type { NetworkView } from "@/app/_trpc/views";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { useMutationErrorText } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_trpc/client";
import { formatCountdown } from "../network-input";
import { CarveSubnetDialog } from "./carve-subnet-dialog";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import type { Flash, NetworkPermissions } from "./network-detail";
import { Section } from "./section";
import { useNow } from "./use-now";

interface SubnetsSectionProps {
  network: NetworkView;
  subnets: SubnetView[];
  allowed: NetworkPermissions;
  onMessage: (message: Flash | null) => void;
}

/** Seconds left for a reserved subnet (0 once past), null for the others. */
function secondsLeft(s: SubnetView, now: number): number | null {
  if (s.state !== "reserved" || !s.expiresAt) return null;
  return Math.max(0, Math.ceil((new Date(s.expiresAt).getTime() - now) / 1000));
}

export function SubnetsSection({ network, subnets, allowed, onMessage }: SubnetsSectionProps) {
  const t = useTranslations("network");
  const locale = useLocale();
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [carving, setCarving] = useState(false);
  const [deleting, setDeleting] = useState<SubnetView | null>(null);
  const confirm = useMutation(trpc.ipam.confirmSubnet.mutationOptions());
  const remove = useMutation(trpc.ipam.deleteSubnet.mutationOptions());
  const now = useNow(subnets.some((s) => s.state === "reserved"));
  const showActions = allowed.confirmSubnet || allowed.deleteSubnet;
  const columns = showActions ? 5 : 4;

  async function onConfirm(s: SubnetView) {
    onMessage(null);
    try {
      await confirm.mutateAsync({ id: s.id });
      onMessage({ tone: "success", text: t("confirmed", { cidr: s.cidr, owner: s.owner }) });
    } catch (err) {
      // Too late: "The subnet … reserved for "lab1" expired at … and went back to the pool; carve a new one."
      onMessage({ tone: "error", text: errorText(err) });
    }
  }

  async function onDelete(s: SubnetView) {
    try {
      await remove.mutateAsync({ id: s.id });
      onMessage({ tone: "success", text: t("subnetDeleted", { cidr: s.cidr, owner: s.owner }) });
    } catch (err) {
      // Addresses still allocated in it are named by the server.
      onMessage({ tone: "error", text: errorText(err) });
    } finally {
      setDeleting(null);
    }
  }

  return (
    <Section
      title={t("subnets")}
      hint={t("subnetsHint")}
      actions={
        allowed.carveSubnet && (
          <Button
            size="sm"
            onClick={() => {
              onMessage(null);
              setCarving(true);
            }}
          >
            {t("carve")}
          </Button>
        )
      }
    >
      <Table caption={t("subnets")}>
        <THead>
          <Th>{t("colSubnet")}</Th>
          <Th>{t("colOwner")}</Th>
          <Th className="text-right">{t("colUsable")}</Th>
          <Th>{t("colState")}</Th>
          {showActions && <Th className="text-right">{t("colActions")}</Th>}
        </THead>
        <TBody>
          {subnets.length === 0 ? (
            <TableMessage colSpan={columns}>{t("subnetsEmpty")}</TableMessage>
          ) : (
            subnets.map((s) => {
              const left = secondsLeft(s, now);
              const expired = s.state === "expired" || left === 0;
              return (
                <Tr key={s.id} data-testid="subnet-row">
                  <Td className="whitespace-nowrap font-mono text-xs">{s.cidr}</Td>
                  <Td className="min-w-24 break-words">{s.owner}</Td>
                  <Td className="text-right tabular-nums">{s.usable}</Td>
                  <Td className="whitespace-nowrap">
                    <div className="flex flex-wrap items-center gap-2">
                      {expired ? (
                        <Badge tone="danger">{t("stateExpired")}</Badge>
                      ) : s.state === "confirmed" ? (
                        <Badge tone="success">{t("stateConfirmed")}</Badge>
                      ) : (
                        <>
                          <Badge tone="warning">{t("stateReserved")}</Badge>
                          {left !== null && (
                            <span
                              data-testid="subnet-countdown"
                              data-seconds={left}
                              className="text-xs tabular-nums text-slate-600 dark:text-slate-300"
                              title={
                                s.expiresAt
                                  ? t("expiresAt", { time: formatDateTime(s.expiresAt, locale) })
                                  : undefined
                              }
                            >
                              {t("expiresIn", { time: formatCountdown(left) })}
                            </span>
                          )}
                        </>
                      )}
                    </div>
                  </Td>
                  {showActions && (
                    <Td className="whitespace-nowrap text-right">
                      <div className="flex justify-end gap-1">
                        {allowed.confirmSubnet && s.state === "reserved" && !expired && (
                          <Button
                            size="sm"
                            variant="secondary"
                            busy={confirm.isPending && confirm.variables?.id === s.id}
                            onClick={() => void onConfirm(s)}
                          >
                            {t("confirm")}
                          </Button>
                        )}
                        {allowed.deleteSubnet && (
                          <Button
                            size="sm"
                            variant="ghost"
                            className="text-red-700 dark:text-red-400"
                            onClick={() => {
                              onMessage(null);
                              setDeleting(s);
                            }}
                          >
                            {t("deleteSubnet")}
                          </Button>
                        )}
                      </div>
                    </Td>
                  )}
                </Tr>
              );
            })
          )}
        </TBody>
      </Table>

      <CarveSubnetDialog
        open={carving}
        network={network}
        onClose={() => setCarving(false)}
        onDone={(text) => {
          setCarving(false);
          onMessage({ tone: "success", text });
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? t("deleteSubnetTitle", { cidr: deleting.cidr, owner: deleting.owner }) : ""}
        body={t("deleteSubnetBody")}
        confirmLabel={t("deleteSubnetConfirm")}
        busy={remove.isPending}
        onConfirm={() => deleting && void onDelete(deleting)}
        onClose={() => setDeleting(null)}
      />
    </Section>
  );
}
