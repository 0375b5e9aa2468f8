"use client";
// The desktop profiles the caller manages (their groups' and the public ones), each a link to its page.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { EmptyState } from "@/app/_components/empty-state";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError } from "@/app/_components/query-error";
import { Table, TableMessage, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { Truncated } from "@/app/_components/truncated";
import { useTRPC } from "@/app/_trpc/client";
import { ProfileDialog } from "./profile-dialog";

export function ProfilesList({ isSuperAdm }: { isSuperAdm: boolean }) {
  const t = useTranslations("profiles");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  const [creating, setCreating] = useState(false);

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={<Button onClick={() => setCreating(true)}>{t("create")}</Button>}
      />
      {profiles.isError && !profiles.data ? (
        <QueryError
          error={profiles.error}
          onRetry={() => void profiles.refetch()}
          retrying={profiles.isFetching}
        />
      ) : profiles.data?.length === 0 ? (
        <EmptyState title={t("empty")}>{t("emptyHint")}</EmptyState>
      ) : (
        <Table caption={t("caption")}>
          <THead>
            <Th>{t("colName")}</Th>
            <Th>{t("colGroup")}</Th>
            <Th>{t("colImage")}</Th>
            <Th>{t("colFlavor")}</Th>
            <Th>{t("colDesktops")}</Th>
          </THead>
          <TBody>
            {profiles.isPending ? (
              <TableMessage colSpan={5}>{tc("loading")}</TableMessage>
            ) : (
              profiles.data.map((p) => (
                <Tr key={p.id} data-testid="profile-row">
                  <Td className="font-medium">
                    <Link
                      href={`/profiles/${p.id}`}
                      className="text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      <Truncated text={p.name} />
                    </Link>
                    <span className="mt-0.5 flex flex-wrap gap-1">
                      {p.throwaway && <Badge tone="info">{t("throwawayBadge")}</Badge>}
                      {p.adminInstanceId && <Badge tone="warning">{t("adminModeBadge")}</Badge>}
                    </span>
                  </Td>
                  <Td>{p.group ? <Truncated text={p.group.name} /> : <Badge>{t("public")}</Badge>}</Td>
                  <Td>
                    <Truncated text={p.currentImage.name} />
                    <span className="block text-xs text-slate-500 dark:text-slate-400">
                      {t("versionShort", { version: p.currentVersion })}
                    </span>
                  </Td>
                  <Td className="whitespace-nowrap">{p.flavor.name}</Td>
                  <Td className="whitespace-nowrap tabular-nums">{p.desktopCount}</Td>
                </Tr>
              ))
            )}
          </TBody>
        </Table>
      )}
      <ProfileDialog
        open={creating}
        profile={null}
        isSuperAdm={isSuperAdm}
        onClose={() => setCreating(false)}
        onSaved={(p) => {
          // Other pages (a lab's profile choices) read the list: it has one more now.
          void queryClient.invalidateQueries({ queryKey: trpc.profiles.list.queryKey() });
          router.push(`/profiles/${p.id}`);
        }}
      />
    </>
  );
}
