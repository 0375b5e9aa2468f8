"use client";
// "Launch instance": a name, an image, a flavor and a network (and a group for people in several), offered
// from the group's catalogue (instances.launchOptions). The server places it on a host at once; "no host
// fits" and its per-host reasons come back as the form's error.
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
  onClose: () => void;
  /** Called with the launched instance's id, so the page can tell when it is no longer being created. */
  onDone: (message: string, instanceId: string) => void;
}

export function LaunchDialog({ open, onClose, onDone }: LaunchDialogProps) {
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

  // Exactly what the server would accept from this person in this group: the group's catalogue.
  const options = useQuery({
    ...trpc.instances.launchOptions.queryOptions({
      groupId: values.groupId ? Number(values.groupId) : undefined,
    }),
    enabled: open,
    placeholderData: (prev) => prev,
  });
  const create = useMutation(trpc.instances.create.mutationOptions());
  const images = options.data?.images;
  const flavors = options.data?.flavors;
  const networks = options.data?.networks;
  const myGroups = options.data?.groups ?? [];
  const showGroups = myGroups.length > 1;
  const noGroup = options.data !== undefined && options.data.groupId === null && myGroups.length === 0;

  // The server puts a new instance in the person's first group; the select starts there too.
  const firstGroupId = options.data?.groupId;
  useEffect(() => {
    if (open && showGroups && !values.groupId && firstGroupId != null) {
      setValues((v) => ({ ...v, groupId: String(firstGroupId) }));
    }
  }, [open, showGroups, values.groupId, firstGroupId, setValues]);

  // Another group offers other things: a choice its catalogue does not hold is cleared.
  useEffect(() => {
    if (!options.data || options.isPlaceholderData) return;
    const { images: im, flavors: fl, networks: nw } = options.data;
    setValues((v) => ({
      ...v,
      imageId: im.some((i) => i.id === v.imageId) ? v.imageId : "",
      flavorId: fl.some((f) => String(f.id) === v.flavorId) ? v.flavorId : "",
      networkId: nw.some((n) => n.id === v.networkId) ? v.networkId : "",
    }));
  }, [options.data, options.isPlaceholderData, setValues]);

  // Most instances need a network: start on the first one (the list is sorted by name).
  const firstNetworkId = networks?.[0]?.id;
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

  const flavorLabel = (f: Pick<FlavorView, "name" | "vcpus" | "memoryMiB" | "diskGiB">) =>
    t("flavorOption", {
      name: f.name,
      vcpus: f.vcpus,
      memoryMiB: String(f.memoryMiB),
      diskGiB: String(f.diskGiB),
    });
  const noImages = !noGroup && images?.length === 0;
  const noFlavors = !noGroup && flavors?.length === 0;
  const pending = options.isPending;

  return (
    <Dialog open={open} onClose={onClose} title={t("launchTitle")} description={t("launchDescription")}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        {options.isError && (
          <QueryError
            error={options.error}
            onRetry={() => void options.refetch()}
            retrying={options.isFetching}
          />
        )}
        {noGroup && (
          <Alert tone="warning">
            <p>{t("noGroupToLaunch")}</p>
          </Alert>
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
          disabled={pending}
          // The option text is the image's name alone, so it can be chosen by name.
          options={[
            { value: "", label: pending ? tc("loading") : t("chooseImage") },
            ...(images ?? []).map((i) => ({ value: i.id, label: i.name })),
          ]}
        />
        <Select
          label={t("flavor")}
          value={values.flavorId}
          onChange={(e) => set("flavorId", e.target.value)}
          error={fieldErrors.flavorId}
          disabled={pending}
          options={[
            { value: "", label: pending ? tc("loading") : t("chooseFlavor") },
            ...(flavors ?? []).map((f) => ({ value: String(f.id), label: flavorLabel(f) })),
          ]}
        />
        <Select
          label={t("network")}
          value={values.networkId}
          onChange={(e) => set("networkId", e.target.value)}
          error={fieldErrors["nics.0.networkId"] ?? fieldErrors.nics}
          hint={networks?.length === 0 ? t("noNetworksHint") : undefined}
          disabled={pending}
          options={
            pending
              ? [{ value: "", label: tc("loading") }]
              : networks?.length
                ? networks.map((n) => ({
                    value: n.id,
                    label: t("networkOption", { name: n.name, cidr: n.cidr }),
                  }))
                : [{ value: "", label: t("noNetwork") }]
          }
        />
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
