"use client";
// Create or edit a desktop profile: the owner group (or public, superAdm), version 1's image and the
// flavor and network from that group's catalogue (exactly what the server accepts: launchOptions),
// the console kinds and keyboard, snapshot mode, the guest's hardware model and the labs it may be used
// in. A later image comes only through admin mode, so editing does not offer the image.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import {
  createProfileInput,
  PROFILE_CONSOLE_KINDS,
  PROFILE_DISK_BUSES,
  PROFILE_FIRMWARES,
  PROFILE_KEYBOARD_LAYOUTS,
  PROFILE_NIC_MODELS,
  updateProfileInput,
} from "@/common/profiles";
import { CheckboxGroup } from "@/app/_components/checkbox-group";
import { Select } from "@/app/_components/field";
import { FormDialog } from "@/app/_components/form-dialog";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { ProfileDetailView } from "@/app/_trpc/views";
import { GroupField, useStartInFirstGroup } from "../_components/group-field";
import { DescriptionInput, NameInput } from "../_components/name-fields";

type ConsoleKind = (typeof PROFILE_CONSOLE_KINDS)[number];

interface Values {
  name: string;
  description: string;
  /** "" : public (superAdm only). */
  groupId: string;
  imageId: string;
  flavorId: string;
  networkId: string;
  consoleKinds: ConsoleKind[];
  keyboardLayout: (typeof PROFILE_KEYBOARD_LAYOUTS)[number];
  throwaway: boolean;
  firmware: (typeof PROFILE_FIRMWARES)[number];
  diskBus: (typeof PROFILE_DISK_BUSES)[number];
  nicModel: (typeof PROFILE_NIC_MODELS)[number];
  usbTablet: boolean;
  labIds: number[];
}

const FIELDS = [
  "name",
  "description",
  "groupId",
  "imageId",
  "flavorId",
  "networkId",
  "consoleKinds",
  "keyboardLayout",
  "firmware",
  "diskBus",
  "nicModel",
  "labIds",
] as const;

function valuesOf(p: ProfileDetailView | null): Values {
  return {
    name: p?.name ?? "",
    description: p?.description ?? "",
    groupId: p?.group ? String(p.group.id) : "",
    imageId: p?.currentImage.id ?? "",
    flavorId: p ? String(p.flavor.id) : "",
    networkId: p?.network?.id ?? "",
    consoleKinds: (p?.consoleKinds as ConsoleKind[] | undefined) ?? ["vnc"],
    keyboardLayout: p?.keyboardLayout ?? "en-us",
    throwaway: p?.throwaway ?? true,
    firmware: p?.firmware ?? "bios",
    diskBus: p?.diskBus ?? "virtio",
    nicModel: p?.nicModel ?? "virtio",
    usbTablet: p?.usbTablet ?? true,
    labIds: p?.labs.map((l) => l.id) ?? [],
  };
}

export function ProfileDialog({
  open,
  profile,
  isSuperAdm,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** null: a new profile. */
  profile: ProfileDetailView | null;
  isSuperAdm: boolean;
  onClose: () => void;
  onSaved: (p: ProfileDetailView) => void;
}) {
  const t = useTranslations("profiles");
  const trpc = useTRPC();
  const form = useFormDialog<Values>({
    open,
    initial: () => valuesOf(profile),
    resetOn: [profile?.id],
    fields: FIELDS,
  });
  const { values, set, fieldErrors } = form;
  const editing = profile !== null;
  useStartInFirstGroup(open, !editing && !isSuperAdm, values.groupId, (id) => set("groupId", id));

  const groupId = values.groupId ? Number(values.groupId) : null;
  const options = useQuery({
    ...trpc.instances.launchOptions.queryOptions({ groupId: groupId ?? undefined }),
    enabled: open && (groupId !== null || isSuperAdm),
    placeholderData: (prev) => prev,
  });
  const labs = useQuery({ ...trpc.labs.list.queryOptions(), enabled: open });
  const create = useMutation(trpc.profiles.create.mutationOptions());
  const update = useMutation(trpc.profiles.update.mutationOptions());

  const images = options.data?.images ?? [];
  const flavors = options.data?.flavors ?? [];
  const networks = options.data?.networks ?? [];
  // The labs it may be used in are of its group (a public profile: any lab).
  const labChoices = (labs.data ?? []).filter((l) => groupId === null || l.group?.id === groupId);

  const onSubmit = form.handleSubmit(async () => {
    const settings = {
      name: values.name,
      description: values.description,
      flavorId: values.flavorId ? Number(values.flavorId) : undefined,
      networkId: values.networkId || null,
      consoleKinds: values.consoleKinds,
      keyboardLayout: values.keyboardLayout,
      throwaway: values.throwaway,
      firmware: values.firmware,
      diskBus: values.diskBus,
      nicModel: values.nicModel,
      usbTablet: values.usbTablet,
      labIds: values.labIds.filter((id) => labChoices.some((l) => l.id === id)),
    };
    if (editing) {
      const checked = form.check(updateProfileInput, { id: profile.id, ...settings });
      if (!checked) return;
      onSaved(await update.mutateAsync(checked));
    } else {
      const checked = form.check(
        createProfileInput,
        { ...settings, groupId, imageId: values.imageId },
        { required: { imageId: t("chooseImage"), flavorId: t("chooseFlavor") } },
      );
      if (!checked) return;
      onSaved(await create.mutateAsync(checked));
    }
    onClose();
  });

  return (
    <FormDialog
      open={open}
      onClose={onClose}
      size="lg"
      title={editing ? t("editTitle", { name: profile.name }) : t("createTitle")}
      description={t("dialogBody")}
      onSubmit={onSubmit}
      error={form.error}
      submitting={form.submitting}
      submitLabel={editing ? t("save") : t("createSubmit")}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <NameInput label={t("name")} {...form.bind("name")} />
        {/* A profile belongs to a group the caller administers (or is public); a teacher's new
            one starts in their first class. */}
        <GroupField
          open={open}
          label={t("group")}
          disabled={editing}
          {...form.bind("groupId")}
          hint={editing ? t("groupFixed") : undefined}
          publicOption={isSuperAdm || (editing && !profile.group) ? t("publicOption") : undefined}
        />
      </div>
      <DescriptionInput label={t("descriptionField")} {...form.bind("description")} />
      <div className="grid gap-4 sm:grid-cols-2">
        {editing ? (
          <div className="space-y-1">
            <p className="text-sm font-medium text-slate-700 dark:text-slate-200">{t("image")}</p>
            <p className="text-sm">{profile.currentImage.name}</p>
            <p className="text-xs text-slate-500 dark:text-slate-400">{t("imageViaAdminMode")}</p>
          </div>
        ) : (
          <Select
            label={t("image")}
            value={values.imageId}
            onChange={(e) => set("imageId", e.target.value)}
            error={fieldErrors.imageId}
            hint={options.data && images.length === 0 ? t("noImages") : undefined}
            options={[
              { value: "", label: t("chooseImage") },
              ...images.map((i) => ({ value: i.id, label: i.name })),
            ]}
          />
        )}
        <Select
          label={t("flavor")}
          value={values.flavorId}
          onChange={(e) => set("flavorId", e.target.value)}
          error={fieldErrors.flavorId}
          options={[
            { value: "", label: t("chooseFlavor") },
            ...flavors.map((f) => ({
              value: String(f.id),
              label: t("flavorOption", {
                name: f.name,
                vcpus: f.vcpus,
                memoryMiB: f.memoryMiB,
                diskGiB: f.diskGiB,
              }),
            })),
          ]}
        />
        <Select
          label={t("network")}
          value={values.networkId}
          onChange={(e) => set("networkId", e.target.value)}
          error={fieldErrors.networkId}
          options={[
            { value: "", label: t("noNetwork") },
            ...networks.map((n) => ({ value: n.id, label: `${n.name} (${n.cidr})` })),
          ]}
        />
        <Select
          label={t("keyboardLayout")}
          value={values.keyboardLayout}
          onChange={(e) => set("keyboardLayout", e.target.value as Values["keyboardLayout"])}
          error={fieldErrors.keyboardLayout}
          options={PROFILE_KEYBOARD_LAYOUTS.map((k) => ({ value: k, label: k }))}
        />
      </div>
      <CheckboxGroup
        legend={t("consoleKinds")}
        options={PROFILE_CONSOLE_KINDS.map((k) => ({ id: k, label: t(`consoleKind.${k}`) }))}
        value={values.consoleKinds}
        onChange={(v) => set("consoleKinds", v)}
        error={fieldErrors.consoleKinds}
      />
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          className="mt-0.5 size-4 accent-indigo-600"
          checked={values.throwaway}
          onChange={(e) => set("throwaway", e.target.checked)}
        />
        <span>
          <span className="font-medium">{t("throwaway")}</span>
          <span className="block text-xs text-slate-500 dark:text-slate-400">{t("throwawayHint")}</span>
        </span>
      </label>
      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-700">
        <legend className="px-1 text-sm font-medium text-slate-700 dark:text-slate-200">
          {t("hardware")}
        </legend>
        <p className="text-xs text-slate-500 dark:text-slate-400">{t("hardwareHint")}</p>
        <div className="grid gap-4 sm:grid-cols-3">
          <Select
            label={t("firmware")}
            value={values.firmware}
            onChange={(e) => set("firmware", e.target.value as Values["firmware"])}
            error={fieldErrors.firmware}
            options={PROFILE_FIRMWARES.map((f) => ({ value: f, label: t(`firmwareOption.${f}`) }))}
          />
          <Select
            label={t("diskBus")}
            value={values.diskBus}
            onChange={(e) => set("diskBus", e.target.value as Values["diskBus"])}
            error={fieldErrors.diskBus}
            options={PROFILE_DISK_BUSES.map((f) => ({ value: f, label: t(`diskBusOption.${f}`) }))}
          />
          <Select
            label={t("nicModel")}
            value={values.nicModel}
            onChange={(e) => set("nicModel", e.target.value as Values["nicModel"])}
            error={fieldErrors.nicModel}
            options={PROFILE_NIC_MODELS.map((f) => ({ value: f, label: t(`nicOption.${f}`) }))}
          />
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            className="size-4 accent-indigo-600"
            checked={values.usbTablet}
            onChange={(e) => set("usbTablet", e.target.checked)}
          />
          {t("usbTablet")}
        </label>
      </fieldset>
      <CheckboxGroup
        legend={t("labs")}
        options={labChoices.map((l) => ({ id: l.id, label: l.name }))}
        value={values.labIds}
        onChange={(v) => set("labIds", v)}
        error={fieldErrors.labIds}
        empty={t("noLabs")}
      />
    </FormDialog>
  );
}
