"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState, type FormEvent } from "react";
import type { ImageView } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { readError } from "@/app/_lib/trpc-error";
import { useTRPC } from "@/app/_trpc/client";

const VISIBILITIES = ["public", "group", "private"] as const;

export function EditImageDialog({
  image,
  onClose,
  onDone,
  privateOnly,
}: {
  image: ImageView | null;
  onClose: () => void;
  onDone: (msg: string) => void;
  privateOnly: boolean;
}) {
  const t = useTranslations("images");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const [f, setF] = useState({
    name: "",
    osType: "",
    minDiskGiB: "0",
    minRamMiB: "0",
    visibility: "private" as ImageView["visibility"],
  });
  const update = useMutation(trpc.images.update.mutationOptions());
  useEffect(() => {
    if (image)
      setF({
        name: image.name,
        osType: image.osType,
        minDiskGiB: String(image.minDiskGiB),
        minRamMiB: String(image.minRamMiB),
        visibility: image.visibility,
      });
    update.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [image]);
  const err = update.error ? readError(update.error) : null;

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!image) return;
    await update
      .mutateAsync({
        id: image.id,
        name: f.name,
        osType: f.osType,
        minDiskGiB: Number(f.minDiskGiB),
        minRamMiB: Number(f.minRamMiB),
        visibility: f.visibility,
      })
      .then(
        () => onDone(t("saved", { name: f.name })),
        () => undefined,
      );
  }

  return (
    <Dialog open={!!image} onClose={onClose} title={t("editTitle", { name: image?.name ?? "" })}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {err && <Alert tone="error">{err.message ?? tc("loading")}</Alert>}
        <Input
          label={t("name")}
          value={f.name}
          onChange={(e) => setF({ ...f, name: e.target.value })}
          error={err?.fieldErrors.name}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <Input
            label={t("osType")}
            value={f.osType}
            onChange={(e) => setF({ ...f, osType: e.target.value })}
            error={err?.fieldErrors.osType}
          />
          <Select
            label={t("visibility")}
            value={f.visibility}
            disabled={privateOnly}
            onChange={(e) => setF({ ...f, visibility: e.target.value as ImageView["visibility"] })}
            options={VISIBILITIES.map((v) => ({ value: v, label: t(`visibility_${v}`) }))}
            error={err?.fieldErrors.visibility}
          />
          <Input
            label={t("minDiskGiB")}
            type="number"
            min={0}
            value={f.minDiskGiB}
            onChange={(e) => setF({ ...f, minDiskGiB: e.target.value })}
            error={err?.fieldErrors.minDiskGiB}
          />
          <Input
            label={t("minRamMiB")}
            type="number"
            min={0}
            value={f.minRamMiB}
            onChange={(e) => setF({ ...f, minRamMiB: e.target.value })}
            error={err?.fieldErrors.minRamMiB}
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
