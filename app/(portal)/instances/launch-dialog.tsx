"use client";
// "Launch instance": a name, an image, a flavor and a network (and a group for people in several). The
// server places it on a host at once; "no host fits" and its per-host reasons come back as the form's error.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect } from "react";
import type { FlavorView } from "@/app/_trpc/views";
import { createInstanceInput } from "@/common/instances";
import { Alert } from "@/app/_components/alert";
import { FormError } from "@/app/_components/form-error";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { QueryError } from "@/app/_components/query-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import { useInstanceCache } from "./use-instances";

interface Values {
  name: string;
  imageId: string;
  flavorId: string;
  groupId: string;
  /** "" only when there is no network to choose. */
  networkId: string;
}

const EMPTY: Values = { name: "", imageId: "", flavorId: "", groupId: "", networkId: "" };

interface LaunchDialogProps {
  open: boolean;
  /** Group names come from groups.list, which only administrators may call. */
  canListGroups: boolean;
  onClose: () => void;
  /** Called with the launched instance's id, so the page can tell when it is no longer being created. */
  onDone: (message: string, instanceId: string) => void;
}

export function LaunchDialog({ open, canListGroups, onClose, onDone }: LaunchDialogProps) {
  const t = useTranslations("instances");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const cache = useInstanceCache();
  // e.g. "No host fits: host-a: not enough RAM (…)" above the form, "Too small for this image." under Flavor.
  const form = useFormDialog({
    open,
    initial: () => EMPTY,
    fields: ["name", "imageId", "flavorId", "groupId", "nics", "nics.0.networkId"],
  });
  const { values, set, setValues, fieldErrors, tv } = form;

  const images = useQuery({ ...trpc.images.list.queryOptions(), enabled: open });
  const flavors = useQuery({ ...trpc.flavors.list.queryOptions(), enabled: open });
  const me = useQuery({ ...trpc.account.me.queryOptions(), enabled: open && canListGroups });
  const groups = useQuery({ ...trpc.groups.list.queryOptions(), enabled: open && canListGroups });
  const networks = useQuery({ ...trpc.networks.choices.queryOptions(), enabled: open });
  const create = useMutation(trpc.instances.create.mutationOptions());

  // Only the groups the person is in: the server refuses any other (superAdm aside, who rarely needs it).
  const myGroups = (groups.data ?? []).filter((g) => me.data?.groupIds.includes(g.id));
  const showGroups = myGroups.length > 1;

  // The server puts a new instance in the person's first group; the select starts there too.
  useEffect(() => {
    if (open && showGroups && !values.groupId && me.data?.groupIds[0] !== undefined) {
      setValues((v) => ({ ...v, groupId: String(me.data!.groupIds[0]) }));
    }
  }, [open, showGroups, values.groupId, me.data, setValues]);

  // Most instances need a network: start on the first one (the list is sorted by name).
  const firstNetworkId = networks.data?.[0]?.id;
  useEffect(() => {
    if (open && firstNetworkId && !values.networkId) setValues((v) => ({ ...v, networkId: firstNetworkId }));
  }, [open, firstNetworkId, values.networkId, setValues]);

  const onSubmit = form.handleSubmit(async () => {
    const input = {
      name: values.name,
      imageId: values.imageId,
      flavorId: values.flavorId ? Number(values.flavorId) : undefined,
      groupId: showGroups && values.groupId ? Number(values.groupId) : undefined,
      nics: values.networkId ? [{ networkId: values.networkId }] : [],
    };
    const checked = form.check(createInstanceInput, input, { format: { name: tv("instanceNameFormat") } });
    if (!checked) return;
    const created = await create.mutateAsync(checked);
    cache.apply(created);
    void cache.invalidate();
    onDone(t("launched", { name: created.name }), created.id);
  });

  const flavorLabel = (f: FlavorView) =>
    t("flavorOption", {
      name: f.name,
      vcpus: f.vcpus,
      memoryMiB: String(f.memoryMiB),
      diskGiB: String(f.diskGiB),
    });
  const noImages = images.data?.length === 0;
  const noFlavors = flavors.data?.length === 0;

  return (
    <Dialog open={open} onClose={onClose} title={t("launchTitle")} description={t("launchDescription")}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        {images.isError && (
          <QueryError
            error={images.error}
            onRetry={() => void images.refetch()}
            retrying={images.isFetching}
          />
        )}
        {flavors.isError && (
          <QueryError
            error={flavors.error}
            onRetry={() => void flavors.refetch()}
            retrying={flavors.isFetching}
          />
        )}
        {(noImages || noFlavors) && (
          <Alert tone="warning">
            {noImages && <p>{t("noImages")}</p>}
            {noFlavors && <p>{t("noFlavors")}</p>}
          </Alert>
        )}
        <Input
          label={t("name")}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          value={values.name}
          onChange={(e) => set("name", e.target.value)}
          error={fieldErrors.name}
          hint={t("nameHint")}
        />
        <Select
          label={t("image")}
          value={values.imageId}
          onChange={(e) => set("imageId", e.target.value)}
          error={fieldErrors.imageId}
          disabled={images.isPending}
          // The option text is the image's name alone, so it can be chosen by name.
          options={[
            { value: "", label: images.isPending ? tc("loading") : t("chooseImage") },
            ...(images.data ?? []).map((i) => ({ value: i.id, label: i.name })),
          ]}
        />
        <Select
          label={t("flavor")}
          value={values.flavorId}
          onChange={(e) => set("flavorId", e.target.value)}
          error={fieldErrors.flavorId}
          disabled={flavors.isPending}
          options={[
            { value: "", label: flavors.isPending ? tc("loading") : t("chooseFlavor") },
            ...(flavors.data ?? []).map((f) => ({ value: String(f.id), label: flavorLabel(f) })),
          ]}
        />
        <Select
          label={t("network")}
          value={values.networkId}
          onChange={(e) => set("networkId", e.target.value)}
          error={fieldErrors["nics.0.networkId"] ?? fieldErrors.nics}
          hint={networks.data?.length === 0 ? t("noNetworksHint") : undefined}
          disabled={networks.isPending}
          options={
            networks.isPending
              ? [{ value: "", label: tc("loading") }]
              : networks.data?.length
                ? networks.data.map((n) => ({
                    value: n.id,
                    label: t("networkOption", { name: n.name, cidr: n.cidr }),
                  }))
                : [{ value: "", label: t("noNetwork") }]
          }
        />
        {networks.isError && (
          <QueryError
            error={networks.error}
            onRetry={() => void networks.refetch()}
            retrying={networks.isFetching}
          />
        )}
        {showGroups && (
          <Select
            label={t("group")}
            value={values.groupId}
            onChange={(e) => set("groupId", e.target.value)}
            error={fieldErrors.groupId}
            hint={t("groupHint")}
            options={myGroups.map((g) => ({ value: String(g.id), label: g.name }))}
          />
        )}
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={create.isPending}>
            {t("launchSubmit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
