"use client";
// One desktop profile: its settings, its versions (go back to any), admin mode (change the image
// through the console and publish it as the next version), clone and delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Card } from "@/app/_components/card";
import { PageHeader } from "@/app/_components/page-header";
import { useTRPC } from "@/app/_trpc/client";
import type { ProfileDetailView } from "@/app/_trpc/views";
import {
  BackLink,
  DeleteDialog,
  DetailPending,
  FlashAlert,
  GroupBadge,
  useDetailCache,
  type Flash,
} from "../../_components/resource-detail";
import { ProfileDialog } from "../profile-dialog";
import { AdminModeCard } from "./admin-mode-card";
import { CloneDialog } from "./clone-dialog";
import { VersionsCard } from "./versions-card";

export function ProfileDetail({ id, isSuperAdm }: { id: number; isSuperAdm: boolean }) {
  const t = useTranslations("profiles");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [flash, setFlash] = useState<Flash>(null);
  const [editing, setEditing] = useState(false);
  const [cloning, setCloning] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const detail = useQuery(
    trpc.profiles.get.queryOptions(
      { id },
      // While a publication runs the profile changes by itself (version N+1, admin mode over).
      { refetchInterval: (q) => (q.state.data?.publishingTaskId ? 2000 : false) },
    ),
  );
  const remove = useMutation(trpc.profiles.delete.mutationOptions());
  const { show, refresh } = useDetailCache<ProfileDetailView>(
    trpc.profiles.get.queryKey({ id }),
    trpc.profiles.list.queryKey(),
  );

  if (!detail.data) return <DetailPending query={detail} />;
  const p = detail.data;

  const settings: [string, string][] = [
    [t("group"), p.group?.name ?? t("public")],
    [t("image"), t("imageOfVersion", { image: p.currentImage.name, version: p.currentVersion })],
    [
      t("flavor"),
      t("flavorOption", {
        name: p.flavor.name,
        vcpus: p.flavor.vcpus,
        memoryMiB: p.flavor.memoryMiB,
        diskGiB: p.flavor.diskGiB,
      }),
    ],
    [t("network"), p.network?.name ?? t("noNetwork")],
    [t("consoleKinds"), p.consoleKinds.map((k) => t(`consoleKind.${k}`)).join(", ")],
    [t("keyboardLayout"), p.keyboardLayout],
    [t("throwaway"), p.throwaway ? tc("yes") : tc("no")],
    [t("firmware"), t(`firmwareOption.${p.firmware}`)],
    [t("diskBus"), t(`diskBusOption.${p.diskBus}`)],
    [t("nicModel"), t(`nicOption.${p.nicModel}`)],
    [t("usbTablet"), p.usbTablet ? tc("yes") : tc("no")],
    [t("labs"), p.labs.map((l) => l.name).join(", ") || tc("none")],
  ];

  return (
    <>
      <BackLink href="/profiles">{t("backToProfiles")}</BackLink>
      <PageHeader
        title={p.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <GroupBadge group={p.group} publicLabel={t("public")} />
            {p.adminInstanceId && <Badge tone="warning">{t("adminModeBadge")}</Badge>}
            {p.description}
          </span>
        }
        actions={
          <>
            <Button variant="secondary" onClick={() => setEditing(true)}>
              {t("edit")}
            </Button>
            <Button variant="secondary" onClick={() => setCloning(true)}>
              {t("clone")}
            </Button>
            <Button variant="danger" onClick={() => setDeleting(true)}>
              {t("delete")}
            </Button>
          </>
        }
      />
      <FlashAlert flash={flash} />
      <div className="space-y-6">
        <AdminModeCard profile={p} onFlash={setFlash} onChanged={show} onRefresh={refresh} />
        <VersionsCard profile={p} onFlash={setFlash} onChanged={show} />
        <Card aria-labelledby="profile-settings-heading">
          <h2 id="profile-settings-heading" className="mb-3 text-base font-semibold">
            {t("settings")}
          </h2>
          <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
            {settings.map(([k, v]) => (
              <div key={k} className="flex gap-2">
                <dt className="w-40 shrink-0 text-slate-500 dark:text-slate-400">{k}</dt>
                <dd className="min-w-0 break-words">{v}</dd>
              </div>
            ))}
          </dl>
        </Card>
      </div>

      <ProfileDialog
        open={editing}
        profile={p}
        isSuperAdm={isSuperAdm}
        onClose={() => setEditing(false)}
        onSaved={(saved) => {
          show(saved);
          setFlash({ tone: "success", text: t("saved", { name: saved.name }) });
        }}
      />
      <CloneDialog
        open={cloning}
        profile={p}
        isSuperAdm={isSuperAdm}
        onClose={() => setCloning(false)}
        onCloned={(c) => {
          void queryClient.invalidateQueries({ queryKey: trpc.profiles.list.queryKey() });
          router.push(`/profiles/${c.id}`);
        }}
      />
      <DeleteDialog
        open={deleting}
        onClose={() => setDeleting(false)}
        text={{ title: t("deleteTitle", { name: p.name }), body: t("deleteBody"), confirm: t("delete") }}
        remove={remove}
        id={id}
        listKey={trpc.profiles.list.queryKey()}
        listHref="/profiles"
        onFlash={setFlash}
      />
    </>
  );
}

/** Shared by the cards: a profile was changed on the server, here is its new state. */
export type OnProfile = (p: ProfileDetailView) => void;
