"use client";
// A profile's versions, newest first: the image each points at, who published it with what note, and
// which one new desktops start from. "Make current" goes back (or forward) to any of them; running
// desktops keep their version until their next reset.
import { useMutation } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { useMutationErrorText } from "@/app/_components/query-error";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/table";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_trpc/client";
import type { ProfileDetailView } from "@/app/_trpc/views";
import type { Flash } from "../../_components/resource-detail";
import type { OnProfile } from "./profile-detail";

export function VersionsCard({
  profile,
  onFlash,
  onChanged,
}: {
  profile: ProfileDetailView;
  onFlash: (f: Flash) => void;
  onChanged: OnProfile;
}) {
  const t = useTranslations("profiles");
  const tc = useTranslations("common");
  const locale = useLocale();
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const makeCurrent = useMutation(trpc.profiles.setCurrentVersion.mutationOptions());

  return (
    <Card aria-labelledby="profile-versions-heading" data-testid="versions-card">
      <div id="profile-versions-heading">
        <CardHeader title={t("versions")} />
      </div>
      <p className="mb-3 text-xs text-slate-500 dark:text-slate-400">{t("versionsHint")}</p>
      <Table caption={t("versions")}>
        <THead>
          <Th>{t("colVersion")}</Th>
          <Th>{t("colImage")}</Th>
          <Th>{t("colNote")}</Th>
          <Th>{t("colAuthor")}</Th>
          <Th>{t("colDate")}</Th>
          <Th>
            <span className="sr-only">{t("colActions")}</span>
          </Th>
        </THead>
        <TBody>
          {profile.versions.map((v) => {
            const current = v.version === profile.currentVersion;
            return (
              <Tr key={v.version} data-testid="version-row">
                <Td className="whitespace-nowrap tabular-nums">
                  {v.version} {current && <Badge tone="success">{t("current")}</Badge>}
                </Td>
                <Td>{v.imageName}</Td>
                <Td className="max-w-xs break-words">{v.note || tc("none")}</Td>
                <Td>{v.createdBy ? v.createdBy.displayName || v.createdBy.username : tc("none")}</Td>
                <Td className="whitespace-nowrap">{formatDateTime(v.createdAt, locale, "short")}</Td>
                <Td className="text-right">
                  {!current && (
                    <Button
                      size="sm"
                      variant="secondary"
                      busy={makeCurrent.isPending && makeCurrent.variables?.version === v.version}
                      aria-label={t("makeCurrentLabel", { version: v.version })}
                      onClick={() =>
                        makeCurrent.mutate(
                          { id: profile.id, version: v.version },
                          {
                            onSuccess: (p) => {
                              onChanged(p);
                              onFlash({ tone: "success", text: t("madeCurrent", { version: v.version }) });
                            },
                            onError: (err) => onFlash({ tone: "error", text: errorText(err) }),
                          },
                        )
                      }
                    >
                      {t("makeCurrent")}
                    </Button>
                  )}
                </Td>
              </Tr>
            );
          })}
        </TBody>
      </Table>
    </Card>
  );
}
