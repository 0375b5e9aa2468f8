"use client";
// Push an image into hosts' caches ahead of time. The list shows each host's cache state live, so the
// fetch can be watched here (and on the Tasks page).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { ImageView } from "@/app/_trpc/views";
import { syncImageInput } from "@/common/images";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { CheckboxGroup } from "@/app/_components/checkbox-group";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { ProgressBar } from "@/app/_components/progress-bar";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";

export function SyncImageDialog({ image, onClose }: { image: ImageView | null; onClose: () => void }) {
  const t = useTranslations("images");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const form = useFormDialog({
    open: !!image,
    initial: () => ({ hostIds: [] as string[] }),
    resetOn: [image],
  });
  const chosen = form.values.hostIds;
  const cache = useQuery({
    ...trpc.images.hostCache.queryOptions({ id: image?.id ?? "00000000-0000-4000-8000-000000000000" }),
    enabled: !!image,
    refetchInterval: 1000,
  });
  const sync = useMutation(trpc.images.sync.mutationOptions());

  const onSubmit = form.handleSubmit(async () => {
    if (!image) return;
    sync.reset();
    const checked = form.check(syncImageInput, { id: image.id, hostIds: chosen });
    if (!checked) return;
    await sync.mutateAsync(checked);
  });

  return (
    <Dialog
      open={!!image}
      onClose={onClose}
      title={t("syncTitle", { name: image?.name ?? "" })}
      description={t("syncDescription")}
      size="lg"
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        {sync.isSuccess && image && sync.variables?.id === image.id && (
          <Alert tone="success">{t("syncQueued", { count: sync.data.taskIds.length })}</Alert>
        )}
        <ul className="space-y-1 text-sm" data-testid="host-cache">
          {cache.data?.map((h) => (
            <li key={h.hostId} className="flex items-center justify-between gap-3">
              <span>{h.hostName}</span>
              <span className="flex items-center gap-2">
                {h.state === "fetching" && (
                  <span className="w-24">
                    <ProgressBar value={h.percent} label={t("syncProgress")} />
                  </span>
                )}
                <Badge
                  tone={
                    h.state === "cached"
                      ? "success"
                      : h.state === "failed"
                        ? "danger"
                        : h.state === "fetching"
                          ? "info"
                          : "neutral"
                  }
                >
                  {t(`cache_${h.state ?? "none"}`)}
                </Badge>
              </span>
            </li>
          ))}
        </ul>
        <CheckboxGroup
          legend={t("syncHosts")}
          options={(cache.data ?? []).map((h) => ({ id: h.hostId, label: h.hostName }))}
          value={chosen}
          onChange={(ids) => form.set("hostIds", ids)}
          error={form.fieldErrors.hostIds}
          empty={t("noHosts")}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("close")}
          </Button>
          <Button type="submit" busy={form.submitting} disabled={!chosen.length}>
            {t("syncSubmit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
