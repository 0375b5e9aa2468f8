"use client";
// One dialog for "New flavor" and "Edit": the same four fields. Numbers are kept as typed text until
// submit, so a half-typed value is not snapped to 0 while the person is still typing.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { FlavorView } from "@/app/_trpc/views";
import { createFlavorInput, updateFlavorInput } from "@/common/flavors";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

interface Values {
  name: string;
  vcpus: string;
  memoryMiB: string;
  diskGiB: string;
  /** "" : public (superAdm's); else the id of a group the caller administers. */
  groupId: string;
}

function initialValues(flavor: FlavorView | null, firstGroup: string): Values {
  return {
    groupId: firstGroup,
    name: flavor?.name ?? "",
    vcpus: flavor ? String(flavor.vcpus) : "",
    memoryMiB: flavor ? String(flavor.memoryMiB) : "",
    diskGiB: flavor ? String(flavor.diskGiB) : "",
  };
}

/** Empty stays undefined ("Required."); anything else becomes a number, NaN included ("Enter a whole number."). */
const toNumber = (s: string) => (s.trim() === "" ? undefined : Number(s));

interface FlavorFormDialogProps {
  open: boolean;
  /** null: create a new flavor. */
  flavor: FlavorView | null;
  isSuperAdm: boolean;
  /** Groups the caller administers: a new flavor may be one of theirs. */
  groups: readonly { id: number; name: string }[];
  onClose: () => void;
  onDone: (message: string) => void;
}

export function FlavorFormDialog({
  open,
  flavor,
  isSuperAdm,
  groups,
  onClose,
  onDone,
}: FlavorFormDialogProps) {
  const t = useTranslations("flavors");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  // A powerAdm may only make flavors for their groups; superAdm starts on a public one.
  const firstGroup = isSuperAdm ? "" : String(groups[0]?.id ?? "");
  const form = useFormDialog({
    open,
    initial: () => initialValues(flavor, firstGroup),
    resetOn: [flavor, firstGroup],
  });
  const { values, set, fieldErrors, tv } = form;
  const create = useMutation(trpc.flavors.create.mutationOptions());
  const update = useMutation(trpc.flavors.update.mutationOptions());

  const onSubmit = form.handleSubmit(async () => {
    const input = {
      name: values.name,
      vcpus: toNumber(values.vcpus),
      memoryMiB: toNumber(values.memoryMiB),
      diskGiB: toNumber(values.diskGiB),
    };
    const format = { name: tv("flavorNameFormat") };
    if (flavor) {
      const checked = form.check(updateFlavorInput, { id: flavor.id, ...input }, { format });
      // The update schema is partial, so an emptied field would silently be left unchanged: require it.
      const missing = Object.fromEntries(
        Object.entries(input)
          .filter(([, v]) => v === undefined || v === "")
          .map(([k]) => [k, tv("required")]),
      );
      if (Object.keys(missing).length) form.setFieldErrors((prev) => ({ ...prev, ...missing }));
      if (!checked || Object.keys(missing).length) return;
      const saved = await update.mutateAsync(checked);
      onDone(t("updated", { name: saved.name }));
    } else {
      const checked = form.check(
        createFlavorInput,
        { ...input, groupId: values.groupId ? Number(values.groupId) : undefined },
        { format },
      );
      if (!checked) return;
      const created = await create.mutateAsync(checked);
      onDone(t("created", { name: created.name }));
    }
  });

  const numberProps = { type: "number", inputMode: "numeric", step: 1, min: 1 } as const;

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={flavor ? t("editTitle", { name: flavor.name }) : t("createTitle")}
      description={flavor ? t("editHint") : undefined}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Input
          label={t("name")}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          value={values.name}
          onChange={(e) => set("name", e.target.value)}
          error={fieldErrors.name}
        />
        {!flavor && (
          <Select
            label={t("groupLabel")}
            value={values.groupId}
            onChange={(e) => set("groupId", e.target.value)}
            error={fieldErrors.groupId}
            hint={t("groupHint")}
            options={[
              ...(isSuperAdm ? [{ value: "", label: t("publicOption") }] : []),
              ...groups.map((g) => ({ value: String(g.id), label: g.name })),
            ]}
          />
        )}
        <div className="grid gap-4 sm:grid-cols-3">
          <Input
            label={t("vcpus")}
            {...numberProps}
            max={64}
            value={values.vcpus}
            onChange={(e) => set("vcpus", e.target.value)}
            error={fieldErrors.vcpus}
          />
          <Input
            label={t("memoryMiB")}
            {...numberProps}
            min={64}
            value={values.memoryMiB}
            onChange={(e) => set("memoryMiB", e.target.value)}
            error={fieldErrors.memoryMiB}
          />
          <Input
            label={t("diskGiB")}
            {...numberProps}
            value={values.diskGiB}
            onChange={(e) => set("diskGiB", e.target.value)}
            error={fieldErrors.diskGiB}
          />
        </div>
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={create.isPending || update.isPending}>
            {flavor ? t("saveChanges") : t("create")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
