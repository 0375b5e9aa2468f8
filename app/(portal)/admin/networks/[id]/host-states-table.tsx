"use client";
// What each host did with the network: built it at some revision, or failed and why. A host that
// applied an older revision than the network's current one has an update still on its way.
import { useLocale, useTranslations } from "next-intl";
import type { NetworkDetail, NetworkView } from "@/app/_trpc/views";
import { Badge } from "@/app/_components/badge";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { formatDateTime } from "@/app/_lib/format";
import { Section } from "./section";

export function HostStatesTable({
  network,
  hostStates,
}: {
  network: NetworkView;
  hostStates: NetworkDetail["hostStates"];
}) {
  const t = useTranslations("network");
  const tc = useTranslations("common");
  const locale = useLocale();
  return (
    <Section title={t("hostStates")} hint={t("hostStatesHint")}>
      <Table caption={t("hostStates")}>
        <THead>
          <Th>{t("colHost")}</Th>
          <Th>{t("colState")}</Th>
          <Th className="text-right">{t("colRevision")}</Th>
          <Th>{t("colReason")}</Th>
          <Th>{t("colUpdated")}</Th>
        </THead>
        <TBody>
          {hostStates.length === 0 ? (
            <TableMessage colSpan={5}>{t("hostStatesEmpty")}</TableMessage>
          ) : (
            hostStates.map((s) => {
              const behind = s.state === "applied" && s.revision !== null && s.revision < network.revision;
              return (
                <Tr key={s.hostId} data-testid="host-state-row">
                  <Td className="whitespace-nowrap font-medium">{s.hostName}</Td>
                  <Td className="whitespace-nowrap">
                    {s.state === "error" ? (
                      <Badge tone="danger">{t("stateError")}</Badge>
                    ) : behind ? (
                      <Badge tone="warning">{t("statePending")}</Badge>
                    ) : (
                      <Badge tone="success">{t("stateApplied")}</Badge>
                    )}
                  </Td>
                  <Td className="text-right tabular-nums">
                    {s.revision === null
                      ? tc("none")
                      : t("revisionOf", { revision: s.revision, current: network.revision })}
                  </Td>
                  <Td className="min-w-48 break-words text-xs">{s.reason ?? tc("none")}</Td>
                  <Td className="whitespace-nowrap text-xs tabular-nums">
                    {formatDateTime(s.updatedAt, locale, "short")}
                  </Td>
                </Tr>
              );
            })
          )}
        </TBody>
      </Table>
    </Section>
  );
}
