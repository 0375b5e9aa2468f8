"use client";
// The desktop profiles the caller manages (their groups' and the public ones), each a link to its page.
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Badge } from "@/app/_components/badge";
import { Td, Tr } from "@/app/_components/table";
import { Truncated } from "@/app/_components/truncated";
import { useTRPC } from "@/app/_trpc/client";
import { GroupName, NameLink, ResourceList } from "../_components/resource-list";
import { ProfileDialog } from "./profile-dialog";

export function ProfilesList({ isSuperAdm }: { isSuperAdm: boolean }) {
  const t = useTranslations("profiles");
  const trpc = useTRPC();
  const profiles = useQuery(trpc.profiles.list.queryOptions());

  return (
    <ResourceList
      namespace="profiles"
      columns={[t("colName"), t("colGroup"), t("colImage"), t("colFlavor"), t("colDesktops")]}
      list={profiles}
      listKey={trpc.profiles.list.queryKey()}
      pageOf={(id) => `/profiles/${id}`}
      row={(p) => (
        <Tr key={p.id} data-testid="profile-row">
          <Td className="font-medium">
            <NameLink href={`/profiles/${p.id}`} name={p.name} />
            <span className="mt-0.5 flex flex-wrap gap-1">
              {p.throwaway && <Badge tone="info">{t("throwawayBadge")}</Badge>}
              {p.adminInstanceId && <Badge tone="warning">{t("adminModeBadge")}</Badge>}
            </span>
          </Td>
          <Td>
            <GroupName group={p.group} publicLabel={t("public")} />
          </Td>
          <Td>
            <Truncated text={p.currentImage.name} />
            <span className="block text-xs text-slate-500 dark:text-slate-400">
              {t("versionShort", { version: p.currentVersion })}
            </span>
          </Td>
          <Td className="whitespace-nowrap">{p.flavor.name}</Td>
          <Td className="whitespace-nowrap tabular-nums">{p.desktopCount}</Td>
        </Tr>
      )}
      createDialog={(d) => <ProfileDialog {...d} profile={null} isSuperAdm={isSuperAdm} />}
    />
  );
}
