"use client";
import { useTranslations } from "next-intl";
import type { NetworkDetail } from "@/app/_trpc/views";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { Section } from "./section";

/** The server names an address held through a subnet as "subnet <owner>", and one without owner "—". */
const SUBNET_PREFIX = "subnet ";

export function PerOwnerTable({ perOwner }: { perOwner: NetworkDetail["perOwner"] }) {
  const t = useTranslations("network");
  return (
    <Section title={t("perOwner")}>
      <Table caption={t("perOwnerCaption")}>
        <THead>
          <Th>{t("colOwner")}</Th>
          <Th className="text-right">{t("colAddresses")}</Th>
        </THead>
        <TBody>
          {perOwner.length === 0 ? (
            <TableMessage colSpan={2}>{t("perOwnerEmpty")}</TableMessage>
          ) : (
            perOwner.map((o) => (
              <Tr key={o.owner}>
                <Td className="break-all">
                  {o.owner.startsWith(SUBNET_PREFIX)
                    ? t("subnetOwner", { owner: o.owner.slice(SUBNET_PREFIX.length) })
                    : o.owner}
                </Td>
                <Td className="text-right tabular-nums">{o.addresses}</Td>
              </Tr>
            ))
          )}
        </TBody>
      </Table>
    </Section>
  );
}
