"use client";
import { useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import type { ImageView } from "@/app/_trpc/views";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { formatDateTime } from "@/app/_lib/format";
import { formatBytes } from "@/app/_lib/units";
import { useTRPC } from "@/app/_trpc/client";
import { DownloadImageButton } from "./download-image-button";

export function VersionsDialog({ image, onClose }: { image: ImageView | null; onClose: () => void }) {
  const t = useTranslations("images");
  const tc = useTranslations("common");
  const locale = useLocale();
  const trpc = useTRPC();
  const versions = useQuery({
    ...trpc.images.versions.queryOptions({ id: image?.id ?? "00000000-0000-4000-8000-000000000000" }),
    enabled: !!image,
  });
  return (
    <Dialog
      open={!!image}
      onClose={onClose}
      title={t("versionsTitle", { name: image?.name ?? "" })}
      size="lg"
    >
      <ul className="space-y-2 text-sm" data-testid="versions">
        {versions.data?.map((v, i) => (
          <li key={v.id} className="flex flex-wrap items-center justify-between gap-2">
            <span className="flex items-center gap-2">
              <Badge tone={i === 0 ? "success" : "neutral"}>v{v.version}</Badge>
              <code className="font-mono text-xs" title={v.sha256}>
                {v.sha256.slice(0, 12)}
              </code>
              <span className="text-xs text-slate-500">
                {formatBytes(v.sizeBytes, locale)} · {formatDateTime(v.createdAt, locale)}
              </span>
            </span>
            <DownloadImageButton imageId={v.id} name={`${v.name} v${v.version}`} />
          </li>
        ))}
      </ul>
      <DialogActions>
        <Button variant="secondary" onClick={onClose}>
          {tc("close")}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
