"use client";
// One lab as its teacher runs it: its pools (start, stop, live counts), its weekly lessons, the
// profiles it may use, and the way into the classroom view.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { Badge } from "@/app/_components/badge";
import { Button, ButtonLink } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { PageHeader } from "@/app/_components/page-header";
import { useTRPC } from "@/app/_trpc/client";
import type { LabDetailView } from "@/app/_trpc/views";
import {
  BackLink,
  DeleteDialog,
  DetailPending,
  FlashAlert,
  GroupBadge,
  useDetailCache,
  type Flash,
} from "../../_components/resource-detail";
import { LabDialog } from "../lab-dialog";
import { LessonsCard } from "./lessons-card";
import { PoolsCard } from "./pools-card";

export function LabDetail({ id, isSuperAdm }: { id: number; isSuperAdm: boolean }) {
  const t = useTranslations("labs");
  const trpc = useTRPC();
  const [flash, setFlash] = useState<Flash>(null);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const detail = useQuery(trpc.labs.get.queryOptions({ id }));
  const remove = useMutation(trpc.labs.delete.mutationOptions());
  const { show, refresh } = useDetailCache<LabDetailView>(
    trpc.labs.get.queryKey({ id }),
    trpc.labs.list.queryKey(),
  );

  if (!detail.data) return <DetailPending query={detail} />;
  const lab = detail.data;

  return (
    <>
      <BackLink href="/labs">{t("backToLabs")}</BackLink>
      <PageHeader
        title={lab.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <GroupBadge group={lab.group} publicLabel={t("public")} />
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
      <FlashAlert flash={flash} />
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
      <DeleteDialog
        open={deleting}
        onClose={() => setDeleting(false)}
        text={{ title: t("deleteTitle", { name: lab.name }), body: t("deleteBody"), confirm: t("delete") }}
        remove={remove}
        id={id}
        listKey={trpc.labs.list.queryKey()}
        listHref="/labs"
        onFlash={setFlash}
      />
    </>
  );
}
