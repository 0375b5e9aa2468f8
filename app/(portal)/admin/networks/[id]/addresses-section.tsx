"use client";
// Every allocated address of the network: instance NICs (released when the instance is deleted) and
// infrastructure addresses (allocated and released here).
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import type { AddressView, NetworkView } from "@/app/_trpc/views";
import type { SubnetView } from "@/app/_trpc/views";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { useMutationErrorText } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { useTRPC } from "@/app/_trpc/client";
import { AllocateAddressDialog } from "./allocate-address-dialog";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import type { Flash, NetworkPermissions } from "./network-detail";
import { Section } from "./section";

interface AddressesSectionProps {
  network: NetworkView;
  addresses: AddressView[];
  subnets: SubnetView[];
  allowed: NetworkPermissions;
  onMessage: (message: Flash | null) => void;
}

export function AddressesSection({ network, addresses, subnets, allowed, onMessage }: AddressesSectionProps) {
  const t = useTranslations("network");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [allocating, setAllocating] = useState(false);
  const [releasing, setReleasing] = useState<AddressView | null>(null);
  const release = useMutation(trpc.ipam.releaseAddress.mutationOptions());
  const subnetCidr = new Map(subnets.map((s) => [s.id, s.cidr]));
  const columns = allowed.releaseAddress ? 6 : 5;

  async function onRelease(a: AddressView) {
    try {
      await release.mutateAsync({ id: a.id });
      onMessage({ tone: "success", text: t("released", { ip: a.ip }) });
    } catch (err) {
      onMessage({ tone: "error", text: errorText(err) });
    } finally {
      setReleasing(null);
    }
  }

  return (
    <Section
      title={t("addresses")}
      hint={t("addressesCount", { count: addresses.length })}
      actions={
        allowed.allocateAddress && (
          <Button
            size="sm"
            variant="secondary"
            onClick={() => {
              onMessage(null);
              setAllocating(true);
            }}
          >
            {t("allocate")}
          </Button>
        )
      }
    >
      <Table caption={t("addresses")}>
        <THead>
          <Th>{t("colIp")}</Th>
          <Th>{t("colMac")}</Th>
          <Th>{t("colUsedBy")}</Th>
          <Th>{t("colOwner")}</Th>
          <Th>{t("colSubnet")}</Th>
          {allowed.releaseAddress && <Th className="text-right">{t("colActions")}</Th>}
        </THead>
        <TBody>
          {addresses.length === 0 ? (
            <TableMessage colSpan={columns}>{t("addressesEmpty")}</TableMessage>
          ) : (
            addresses.map((a) => (
              <Tr key={a.id} data-testid="address-row">
                <Td className="whitespace-nowrap font-mono text-xs">{a.ip}</Td>
                <Td className="whitespace-nowrap font-mono text-xs">{a.mac}</Td>
                <Td className="min-w-40">
                  <div className="flex flex-wrap items-center gap-2">
                    {a.instance ? (
                      <Link
                        href={`/instances/${a.instance.id}`}
                        className="break-all text-indigo-700 hover:underline dark:text-indigo-300"
                      >
                        {a.instance.name}
                      </Link>
                    ) : (
                      <span className="break-words">{a.label ?? tc("none")}</span>
                    )}
                    <Badge tone={a.kind === "instance" ? "info" : "neutral"}>
                      {t(`addressKinds.${a.kind}`)}
                    </Badge>
                  </div>
                </Td>
                <Td className="break-all">{a.owner ?? tc("none")}</Td>
                <Td className="whitespace-nowrap font-mono text-xs">
                  {a.subnetId ? (subnetCidr.get(a.subnetId) ?? `#${a.subnetId}`) : tc("none")}
                </Td>
                {allowed.releaseAddress && (
                  <Td className="text-right">
                    {a.kind === "infrastructure" && (
                      <Button
                        size="sm"
                        variant="ghost"
                        className="text-red-700 dark:text-red-400"
                        onClick={() => {
                          onMessage(null);
                          setReleasing(a);
                        }}
                      >
                        {t("release")}
                      </Button>
                    )}
                  </Td>
                )}
              </Tr>
            ))
          )}
        </TBody>
      </Table>

      <AllocateAddressDialog
        open={allocating}
        network={network}
        subnets={subnets}
        onClose={() => setAllocating(false)}
        onDone={(text) => {
          setAllocating(false);
          onMessage({ tone: "success", text });
        }}
      />
      <ConfirmDialog
        open={releasing !== null}
        title={releasing ? t("releaseTitle", { ip: releasing.ip }) : ""}
        body={t("releaseBody")}
        confirmLabel={t("releaseConfirm")}
        busy={release.isPending}
        onConfirm={() => releasing && void onRelease(releasing)}
        onClose={() => setReleasing(null)}
      />
    </Section>
  );
}
