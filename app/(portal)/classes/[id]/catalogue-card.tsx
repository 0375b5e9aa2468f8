"use client";
// What the class's members may launch: the public images and flavors listed here plus the group's own
// (always in). Networks and hosts restrict only when some are ticked; hosts are a superAdm's choice.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { ClassDetailView } from "@/app/_trpc/views";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { CheckboxGroup } from "@/app/_components/checkbox-group";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { FormError } from "@/app/_components/form-error";
import { QueryError } from "@/app/_components/query-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { Flash } from "./class-detail";
import { PAGE_LIMIT_MAX } from "@/common/paging";

interface Props {
  detail: ClassDetailView;
  isSuperAdm: boolean;
  onFlash: (f: Flash) => void;
  onChanged: () => Promise<unknown>;
}

export function CatalogueCard({ detail, isSuperAdm, onFlash, onChanged }: Props) {
  const t = useTranslations("classes");
  const [editing, setEditing] = useState(false);
  const cat = detail.catalogue;
  const list = (items: { key: string | number; label: string; own?: boolean }[], none: string) =>
    items.length === 0 ? (
      <p className="text-sm text-slate-500 dark:text-slate-400">{none}</p>
    ) : (
      <ul className="flex flex-wrap gap-1.5">
        {items.map((i) => (
          <li key={i.key}>
            <Badge tone={i.own ? "info" : "neutral"}>
              {i.label}
              {i.own ? ` · ${t("own")}` : ""}
            </Badge>
          </li>
        ))}
      </ul>
    );

  return (
    <Card data-testid="catalogue">
      <CardHeader
        title={t("catalogueTitle")}
        aside={
          <Button
            size="sm"
            variant="secondary"
            onClick={() => {
              onFlash(null);
              setEditing(true);
            }}
          >
            {t("editCatalogue")}
          </Button>
        }
      />
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">{t("catalogueHint")}</p>
      <dl className="grid gap-4 sm:grid-cols-2">
        <div>
          <dt className="mb-1 text-sm font-medium">{t("images")}</dt>
          <dd>
            {list(
              cat.images.map((i) => ({ key: i.familyId, label: i.name, own: i.own })),
              t("noImages"),
            )}
          </dd>
        </div>
        <div>
          <dt className="mb-1 text-sm font-medium">{t("flavors")}</dt>
          <dd>
            {list(
              cat.flavors.map((f) => ({
                key: f.id,
                label: t("flavorOption", {
                  name: f.name,
                  vcpus: f.vcpus,
                  memoryMiB: f.memoryMiB,
                  diskGiB: f.diskGiB,
                }),
                own: f.own,
              })),
              t("noFlavors"),
            )}
          </dd>
        </div>
        <div>
          <dt className="mb-1 text-sm font-medium">{t("networks")}</dt>
          <dd>
            {list(
              cat.networks.map((n) => ({ key: n.id, label: `${n.name} (${n.cidr})` })),
              t("anyNetwork"),
            )}
          </dd>
        </div>
        <div>
          <dt className="mb-1 text-sm font-medium">{t("hosts")}</dt>
          <dd>
            {list(
              cat.hosts.map((h) => ({ key: h.id, label: h.name })),
              t("anyHost"),
            )}
          </dd>
        </div>
      </dl>
      <CatalogueDialog
        open={editing}
        detail={detail}
        isSuperAdm={isSuperAdm}
        onClose={() => setEditing(false)}
        onDone={(text) => {
          setEditing(false);
          onFlash({ tone: "success", text });
          void onChanged();
        }}
      />
    </Card>
  );
}

interface Values {
  imageIds: string[] | null;
  flavorIds: number[] | null;
  networkIds: string[] | null;
  hostIds: string[] | null;
}

function CatalogueDialog({
  open,
  detail,
  isSuperAdm,
  onClose,
  onDone,
}: {
  open: boolean;
  detail: ClassDetailView;
  isSuperAdm: boolean;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const t = useTranslations("classes");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const tl = useTranslations("list");
  // The public catalogue, as one long page; beyond it the dialog says how many it does not show.
  const images = useQuery({
    ...trpc.images.list.queryOptions({ visibility: "public", limit: PAGE_LIMIT_MAX }),
    enabled: open,
  });
  const notShown = (images.data?.total ?? 0) - (images.data?.items.length ?? 0);
  const flavors = useQuery({ ...trpc.flavors.list.queryOptions(), enabled: open });
  const networks = useQuery({ ...trpc.networks.choices.queryOptions(), enabled: open });
  const hosts = useQuery({ ...trpc.hosts.list.queryOptions(), enabled: open && isSuperAdm });
  const save = useMutation(trpc.classes.setCatalogue.mutationOptions());
  const form = useFormDialog<Values>({
    open,
    initial: () => ({ imageIds: null, flavorIds: null, networkIds: null, hostIds: null }),
    fields: ["imageIds", "flavorIds", "networkIds", "hostIds"],
  });
  const cat = detail.catalogue;
  // Public ones only: the group's own images and flavors are in without being listed.
  const imageOptions = (images.data?.items ?? [])
    .filter((i) => i.visibility === "public" && i.sourceFormat !== "iso")
    .map((i) => ({ id: i.id, label: i.name, family: i.familyId ?? i.id }));
  const flavorOptions = (flavors.data ?? [])
    .filter((f) => f.groupId === null)
    .map((f) => ({
      id: f.id,
      label: f.name,
      detail: t("flavorSize", { vcpus: f.vcpus, memoryMiB: f.memoryMiB, diskGiB: f.diskGiB }),
    }));
  const listedFamilies = new Set(cat.images.filter((i) => !i.own).map((i) => i.familyId));
  // Listed images the page did not bring stay listed (never dropped by saving what was not shown).
  const offeredFamilies = new Set(imageOptions.map((o) => o.family));
  const imageIds = form.values.imageIds ?? [
    ...imageOptions.filter((o) => listedFamilies.has(o.family)).map((o) => o.id),
    ...cat.images.filter((i) => !i.own && !offeredFamilies.has(i.familyId)).map((i) => i.id),
  ];
  const flavorIds = form.values.flavorIds ?? cat.flavors.filter((f) => !f.own).map((f) => f.id);
  const networkIds = form.values.networkIds ?? cat.networks.map((n) => n.id);
  const hostIds = form.values.hostIds ?? cat.hosts.map((h) => h.id);

  const onSubmit = form.handleSubmit(async () => {
    await save.mutateAsync({
      id: detail.id,
      imageIds,
      flavorIds,
      networkIds,
      ...(isSuperAdm ? { hostIds } : {}),
    });
    onDone(t("catalogueSaved", { name: detail.name }));
  });
  const loadError = images.error ?? flavors.error ?? networks.error ?? hosts.error;

  return (
    <Dialog open={open} onClose={onClose} title={t("editCatalogueTitle", { name: detail.name })}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        {loadError && <QueryError error={loadError} />}
        <CheckboxGroup
          legend={t("images")}
          options={imageOptions}
          value={imageIds}
          onChange={(v) => form.set("imageIds", v)}
          error={form.fieldErrors.imageIds}
          empty={images.isPending ? tc("loading") : t("noPublicImages")}
        />
        {notShown > 0 && (
          <p className="text-sm text-slate-500 dark:text-slate-400">{tl("more", { count: notShown })}</p>
        )}
        <CheckboxGroup
          legend={t("flavors")}
          options={flavorOptions}
          value={flavorIds}
          onChange={(v) => form.set("flavorIds", v)}
          error={form.fieldErrors.flavorIds}
          empty={flavors.isPending ? tc("loading") : t("noPublicFlavors")}
        />
        <CheckboxGroup
          legend={t("networksRestrict")}
          options={(networks.data ?? []).map((n) => ({ id: n.id, label: n.name, detail: n.cidr }))}
          value={networkIds}
          onChange={(v) => form.set("networkIds", v)}
          error={form.fieldErrors.networkIds}
          empty={networks.isPending ? tc("loading") : t("noNetworks")}
        />
        {isSuperAdm && (
          <CheckboxGroup
            legend={t("hostsRestrict")}
            options={(hosts.data ?? []).map((h) => ({ id: h.id, label: h.name }))}
            value={hostIds}
            onChange={(v) => form.set("hostIds", v)}
            error={form.fieldErrors.hostIds}
            empty={hosts.isPending ? tc("loading") : t("noHosts")}
          />
        )}
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          {/* Saving before the lists loaded would send empty lists. */}
          <Button
            type="submit"
            busy={save.isPending}
            disabled={images.isPending || flavors.isPending || networks.isPending}
          >
            {t("saveCatalogue")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
