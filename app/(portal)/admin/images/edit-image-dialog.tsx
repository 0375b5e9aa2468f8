"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { ImageView } from "@/app/_trpc/views";
import { IMAGE_VISIBILITIES, updateImageInput, type ImageVisibility } from "@/common/images";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

const initialValues = (image: ImageView | null) => ({
  name: image?.name ?? "",
  osType: image?.osType ?? "",
  minDiskGiB: String(image?.minDiskGiB ?? 0),
  minRamMiB: String(image?.minRamMiB ?? 0),
  visibility: image?.visibility ?? ("private" as ImageView["visibility"]),
});

/** Empty stays undefined ("Required."); anything else becomes a number, NaN included ("Enter a whole number."). */
const toNumber = (s: string) => (s.trim() === "" ? undefined : Number(s));

export function EditImageDialog({
  image,
  onClose,
  onDone,
  visibilities,
}: {
  image: ImageView | null;
  onClose: () => void;
  onDone: (msg: string) => void;
  /** What the viewer's role may give (common/images.ts). The image's own stays offered: keeping it is no change. */
  visibilities: readonly ImageVisibility[];
}) {
  const t = useTranslations("images");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const form = useFormDialog({ open: !!image, initial: () => initialValues(image), resetOn: [image] });
  const { values: f, set, fieldErrors } = form;
  const update = useMutation(trpc.images.update.mutationOptions());
  const offered = IMAGE_VISIBILITIES.filter((v) => visibilities.includes(v) || v === image?.visibility);

  const onSubmit = form.handleSubmit(async () => {
    if (!image) return;
    const checked = form.check(updateImageInput, {
      id: image.id,
      name: f.name,
      osType: f.osType,
      minDiskGiB: toNumber(f.minDiskGiB),
      minRamMiB: toNumber(f.minRamMiB),
      visibility: f.visibility,
    });
    if (!checked) return;
    await update.mutateAsync(checked);
    onDone(t("saved", { name: checked.name ?? f.name }));
  });

  return (
    <Dialog open={!!image} onClose={onClose} title={t("editTitle", { name: image?.name ?? "" })}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Input
          label={t("name")}
          value={f.name}
          onChange={(e) => set("name", e.target.value)}
          error={fieldErrors.name}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <Input
            label={t("osType")}
            value={f.osType}
            onChange={(e) => set("osType", e.target.value)}
            error={fieldErrors.osType}
          />
          <Select
            label={t("visibility")}
            value={f.visibility}
            disabled={offered.length < 2}
            onChange={(e) => set("visibility", e.target.value as ImageView["visibility"])}
            options={offered.map((v) => ({ value: v, label: t(`visibility_${v}`) }))}
            hint={visibilities.includes("public") ? undefined : t("visibilityHint")}
            error={fieldErrors.visibility}
          />
          <Input
            label={t("minDiskGiB")}
            type="number"
            min={0}
            value={f.minDiskGiB}
            onChange={(e) => set("minDiskGiB", e.target.value)}
            error={fieldErrors.minDiskGiB}
          />
          <Input
            label={t("minRamMiB")}
            type="number"
            min={0}
            value={f.minRamMiB}
            onChange={(e) => set("minRamMiB", e.target.value)}
            error={fieldErrors.minRamMiB}
          />
        </div>
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={update.isPending}>
            {t("save")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
