"use client";
// One lab as its teacher runs it: its pools (start, stop, live counts), its weekly lessons, the
// profiles it may use, and the way into the classroom view.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { Button, ButtonLink } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import type { LabDetailView } from "@/app/_trpc/views";
import { LabDialog } from "../lab-dialog";
import { LessonsCard } from "./lessons-card";
import { PoolsCard } from "./pools-card";

export type Flash = { tone: "success" | "error"; text: string } | null;

export function LabDetail({ id, isSuperAdm }: { id: number; isSuperAdm: boolean }) {
  const t = useTranslations("labs");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const errorText = useMutationErrorText();
  const [flash, setFlash] = useState<Flash>(null);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const detail = useQuery(trpc.labs.get.queryOptions({ id }));
  const remove = useMutation(trpc.labs.delete.mutationOptions());

  const show = (l: LabDetailView) => {
    queryClient.setQueryData(trpc.labs.get.queryKey({ id }), l);
    void queryClient.invalidateQueries({ queryKey: trpc.labs.list.queryKey() });
  };
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.labs.get.queryKey({ id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.labs.list.queryKey() }),
    ]);

  if (!detail.data)
    return detail.isError ? (
      <QueryError error={detail.error} onRetry={() => void detail.refetch()} retrying={detail.isFetching} />
    ) : (
      <p className="text-sm text-slate-500">{tc("loading")}</p>
    );
  const lab = detail.data;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/labs" className="text-indigo-700 hover:underline dark:text-indigo-300">
          {t("backToLabs")}
        </Link>
      </p>
      <PageHeader
        title={lab.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {lab.group ? <Badge tone="info">{lab.group.name}</Badge> : <Badge>{t("public")}</Badge>}
            <span>{t("seatCount", { count: lab.seats })}</span>
            {lab.description && <span>· {lab.description}</span>}
          </span>
        }
        actions={
          <>
            <ButtonLink href={`/labs/${lab.id}/classroom`}>{t("openClassroom")}</ButtonLink>
            <Button variant="secondary" onClick={() => setEditing(true)}>
              {t("edit")}
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
        <PoolsCard lab={lab} onFlash={setFlash} onChanged={refresh} />
        <LessonsCard
          lab={lab}
          onSaved={(l, text) => {
            show(l);
            setFlash({ tone: "success", text });
          }}
        />
        <Card aria-labelledby="lab-profiles-heading">
          <div id="lab-profiles-heading">
            <CardHeader title={t("profiles")} />
          </div>
          {lab.profiles.length === 0 ? (
            <p className="text-sm text-slate-500 dark:text-slate-400">{t("noProfilesYet")}</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {lab.profiles.map((p) => (
                <li key={p.id} className="flex flex-wrap items-center gap-2">
                  <Link
                    href={`/profiles/${p.id}`}
                    className="text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    {p.name}
                  </Link>
                  <span className="text-xs text-slate-500">
                    {t("versionShort", { version: p.currentVersion })}
                  </span>
                  {p.inAdminMode && <Badge tone="warning">{t("inAdminMode")}</Badge>}
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <LabDialog
        open={editing}
        lab={lab}
        isSuperAdm={isSuperAdm}
        onClose={() => setEditing(false)}
        onSaved={(l) => {
          show(l);
          setFlash({ tone: "success", text: t("saved", { name: l.name }) });
        }}
      />
      <ConfirmDialog
        open={deleting}
        title={t("deleteTitle", { name: lab.name })}
        body={t("deleteBody")}
        confirmLabel={t("delete")}
        busy={remove.isPending}
        onClose={() => setDeleting(false)}
        onConfirm={() =>
          remove.mutate(
            { id },
            {
              onSuccess: () => {
                void queryClient.invalidateQueries({ queryKey: trpc.labs.list.queryKey() });
                router.push("/labs");
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
