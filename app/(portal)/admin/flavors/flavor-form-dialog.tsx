"use client";
// One dialog for "New flavor" and "Edit": the same four fields. Numbers are kept as typed text until
// submit, so a half-typed value is not snapped to 0 while the person is still typing.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState, type FormEvent } from "react";
import type { FlavorView } from "@/app/_trpc/views";
import { createFlavorInput, updateFlavorInput } from "@/common/flavors";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input } from "@/app/_components/field";
import { useMutationErrorText } from "@/app/_components/query-error";
import { readError } from "@/app/_lib/trpc-error";
import { validate, type FieldErrors } from "@/app/_lib/validation";
import { useTRPC } from "@/app/_trpc/client";

interface Values {
  name: string;
  vcpus: string;
  memoryMiB: string;
  diskGiB: string;
}

function initialValues(flavor: FlavorView | null): Values {
  return {
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
  onClose: () => void;
  onDone: (message: string) => void;
}

export function FlavorFormDialog({ open, flavor, onClose, onDone }: FlavorFormDialogProps) {
  const t = useTranslations("flavors");
  const tc = useTranslations("common");
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const [values, setValues] = useState<Values>(() => initialValues(flavor));
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.flavors.create.mutationOptions());
  const update = useMutation(trpc.flavors.update.mutationOptions());

  useEffect(() => {
    if (!open) return;
    setValues(initialValues(flavor));
    setFieldErrors({});
    setError(null);
  }, [open, flavor]);

  const set = <K extends keyof Values>(k: K, v: Values[K]) => setValues((prev) => ({ ...prev, [k]: v }));

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const input = {
      name: values.name,
      vcpus: toNumber(values.vcpus),
      memoryMiB: toNumber(values.memoryMiB),
      diskGiB: toNumber(values.diskGiB),
    };
    const formatText = { name: tv("flavorNameFormat") };
    try {
      if (flavor) {
        const checked = validate(updateFlavorInput, { id: flavor.id, ...input }, tv, {}, formatText);
        // The update schema is partial, so an emptied field would silently be left unchanged: require it.
        const missing = Object.fromEntries(
          Object.entries(input)
            .filter(([, v]) => v === undefined || v === "")
            .map(([k]) => [k, tv("required")]),
        );
        const errors = { ...(checked.errors ?? {}), ...missing };
        setFieldErrors(errors);
        if (!checked.data || Object.keys(errors).length) return;
        const saved = await update.mutateAsync(checked.data);
        onDone(t("updated", { name: saved.name }));
      } else {
        const checked = validate(createFlavorInput, input, tv, {}, formatText);
        setFieldErrors(checked.errors ?? {});
        if (!checked.data) return;
        const created = await create.mutateAsync(checked.data);
        onDone(t("created", { name: created.name }));
      }
    } catch (err) {
      // e.g. fieldErrors.name = "This name is taken." with "A flavor named … already exists." above.
      setFieldErrors(readError(err).fieldErrors);
      setError(errorText(err));
    }
  }

  const numberProps = { type: "number", inputMode: "numeric", step: 1, min: 1 } as const;

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={flavor ? t("editTitle", { name: flavor.name }) : t("createTitle")}
      description={flavor ? t("editHint") : undefined}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {error && (
          <Alert tone="error" data-testid="form-error">
            {error}
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
        />
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
