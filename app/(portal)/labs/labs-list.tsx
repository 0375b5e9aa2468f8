"use client";
// The labs the caller manages (their groups' and, for superAdm, the public ones), each a link to its page.
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Badge } from "@/app/_components/badge";
import { Td, Tr } from "@/app/_components/table";
import { useTRPC } from "@/app/_trpc/client";
import { GroupName, NameLink, ResourceList } from "../_components/resource-list";
import { LabDialog } from "./lab-dialog";

export function LabsList({ isSuperAdm }: { isSuperAdm: boolean }) {
  const t = useTranslations("labs");
  const trpc = useTRPC();
  const labs = useQuery(trpc.labs.list.queryOptions());

  return (
    <ResourceList
      namespace="labs"
      columns={[t("colName"), t("colGroup"), t("colSeats"), t("colProfiles"), t("colLessons"), t("colPools")]}
      list={labs}
      listKey={trpc.labs.list.queryKey()}
      pageOf={(id) => `/labs/${id}`}
      row={(l) => (
        <Tr key={l.id} data-testid="lab-row">
          <Td className="font-medium">
            <NameLink href={`/labs/${l.id}`} name={l.name} />
            {l.description && (
              <span className="block text-xs text-slate-500 dark:text-slate-400">{l.description}</span>
            )}
          </Td>
          <Td>
            <GroupName group={l.group} publicLabel={t("public")} />
          </Td>
          <Td className="tabular-nums">{l.seats}</Td>
          <Td className="tabular-nums">{l.profileCount}</Td>
          <Td className="tabular-nums">{l.lessonCount}</Td>
          <Td>
            {l.runningPools > 0 ? (
              <Badge tone="success">{t("poolsRunning", { count: l.runningPools })}</Badge>
            ) : (
              <span className="text-slate-500">{t("noPoolRunning")}</span>
            )}
          </Td>
        </Tr>
      )}
      createDialog={(d) => <LabDialog {...d} lab={null} isSuperAdm={isSuperAdm} />}
    />
  );
}
