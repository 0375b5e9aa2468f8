"use client";
// "Resize": another flavor for a stopped instance. The choices are the flavors its group's catalogue
// allows with a disk at least as large (instances.resizeOptions); quota and the host's room are the
// server's to check, and a refusal (which quota, its limit and use; which host and why) is the form's error.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { InstanceView } from "@/app/_trpc/views";
import { resizeInstanceInput } from "@/common/instances";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Select } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { QueryError } from "@/app/_components/query-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import { useInstanceCache } from "./use-instances";

interface ResizeDialogProps {
  instance: InstanceView;
  open: boolean;
  onClose: () => void;
  onDone: (message: string) => void;
}

export function ResizeDialog({ instance, open, onClose, onDone }: ResizeDialogProps) {
  const t = useTranslations("resize");
  const ti = useTranslations("instances");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const cache = useInstanceCache();
  const form = useFormDialog({ open, initial: () => ({ flavorId: "" }), resetOn: [instance.id] });
  const { values, set, fieldErrors } = form;
  const options = useQuery({
    ...trpc.instances.resizeOptions.queryOptions({ id: instance.id }),
    enabled: open,
  });
  const resize = useMutation(trpc.instances.resize.mutationOptions());

  const sizeText = (f: { name: string; vcpus: number; memoryMiB: number; diskGiB: number }) =>
    ti("flavorOption", {
      name: f.name,
      vcpus: f.vcpus,
      memoryMiB: String(f.memoryMiB),
      diskGiB: String(f.diskGiB),
    });

  const onSubmit = form.handleSubmit(async () => {
    const checked = form.check(resizeInstanceInput, {
      id: instance.id,
      flavorId: values.flavorId ? Number(values.flavorId) : undefined,
    });
    if (!checked) return;
    cache.apply(await resize.mutateAsync(checked));
    void cache.invalidate();
    onDone(t("started", { name: instance.name }));
  });

  const none = options.data?.flavors.length === 0;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("title", { name: instance.name })}
      description={t("description")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        {options.isError && (
          <QueryError
            error={options.error}
            onRetry={() => void options.refetch()}
            retrying={options.isFetching}
          />
        )}
        {options.data && (
          <p className="text-sm text-slate-600 dark:text-slate-300">
            {t("current", { size: sizeText(options.data.current) })}
          </p>
        )}
        {none ? (
          <Alert tone="warning">{t("noChoices")}</Alert>
        ) : (
          <Select
            label={t("flavor")}
            value={values.flavorId}
            onChange={(e) => set("flavorId", e.target.value)}
            error={fieldErrors.flavorId}
            hint={t("flavorHint")}
            disabled={options.isPending}
            options={[
              { value: "", label: options.isPending ? tc("loading") : ti("chooseFlavor") },
              ...(options.data?.flavors ?? []).map((f) => ({ value: String(f.id), label: sizeText(f) })),
            ]}
          />
        )}
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={resize.isPending} disabled={none}>
            {t("submit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
