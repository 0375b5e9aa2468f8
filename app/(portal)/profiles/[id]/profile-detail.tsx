"use client";
// One desktop profile: its settings, its versions (go back to any), admin mode (change the image
// through the console and publish it as the next version), clone and delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Card } from "@/app/_components/card";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import type { ProfileDetailView } from "@/app/_trpc/views";
import { ProfileDialog } from "../profile-dialog";
import { AdminModeCard } from "./admin-mode-card";
import { CloneDialog } from "./clone-dialog";
import { VersionsCard } from "./versions-card";

export type Flash = { tone: "success" | "error"; text: string } | null;

export function ProfileDetail({ id, isSuperAdm }: { id: number; isSuperAdm: boolean }) {
  const t = useTranslations("profiles");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
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

  const show = (p: ProfileDetailView) => {
    queryClient.setQueryData(trpc.profiles.get.queryKey({ id }), p);
    void queryClient.invalidateQueries({ queryKey: trpc.profiles.list.queryKey() });
  };
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.profiles.get.queryKey({ id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.profiles.list.queryKey() }),
    ]);

  if (!detail.data)
    return detail.isError ? (
      <QueryError error={detail.error} onRetry={() => void detail.refetch()} retrying={detail.isFetching} />
    ) : (
      <p className="text-sm text-slate-500">{tc("loading")}</p>
    );
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
      <p className="mb-2 text-sm">
        <Link href="/profiles" className="text-indigo-700 hover:underline dark:text-indigo-300">
          {t("backToProfiles")}
        </Link>
      </p>
      <PageHeader
        title={p.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {p.group ? <Badge tone="info">{p.group.name}</Badge> : <Badge>{t("public")}</Badge>}
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
      {flash && (
        <Alert tone={flash.tone} className="mb-4" data-testid="flash">
          {flash.text}
        </Alert>
      )}
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
      <ConfirmDialog
        open={deleting}
        title={t("deleteTitle", { name: p.name })}
        body={t("deleteBody")}
        confirmLabel={t("delete")}
        busy={remove.isPending}
        onClose={() => setDeleting(false)}
        onConfirm={() =>
          remove.mutate(
            { id },
            {
              onSuccess: () => {
                void queryClient.invalidateQueries({ queryKey: trpc.profiles.list.queryKey() });
                router.push("/profiles");
              },
              onError: (err) => {
                setDeleting(false);
                setFlash({ tone: "error", text: errorText(err) });
              },
            },
          )
        }
      />
    </>
  );
}

/** Shared by the cards: a profile was changed on the server, here is its new state. */
export type OnProfile = (p: ProfileDetailView) => void;
