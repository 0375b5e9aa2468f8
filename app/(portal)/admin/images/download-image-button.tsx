"use client";
import { useTranslations } from "next-intl";
import { useRef, useState } from "react";
import { Button, buttonClasses } from "@/app/_components/button";
import { ProgressBar } from "@/app/_components/progress-bar";
import { downloadInChunks, saveBlob } from "@/app/_lib/download-file";

/** Chunked download with a progress bar, and the plain link beside it (best for very big images). */
export function DownloadImageButton({ imageId, name }: { imageId: string; name: string }) {
  const t = useTranslations("images");
  const [progress, setProgress] = useState<number | null>(null);
  const [failed, setFailed] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const url = `/api/v1/images/${imageId}/download`;

  async function start() {
    setFailed(false);
    abort.current = new AbortController();
    setProgress(0);
    try {
      const { blob, fileName } = await downloadInChunks(url, {
        signal: abort.current.signal,
        onProgress: (d, total) => setProgress(total ? Math.floor((d / total) * 100) : 0),
      });
      saveBlob(blob, fileName);
    } catch {
      if (!abort.current?.signal.aborted) setFailed(true);
    } finally {
      setProgress(null);
    }
  }

  return (
    <span className="inline-flex items-center gap-2">
      {progress === null ? (
        <Button
          size="sm"
          variant="secondary"
          onClick={() => void start()}
          aria-label={t("downloadNamed", { name })}
        >
          {t("download")}
        </Button>
      ) : (
        <span className="inline-flex w-28 items-center gap-1" data-testid="download-progress">
          <ProgressBar value={progress} label={t("downloadProgress")} />
          <button type="button" className="text-xs underline" onClick={() => abort.current?.abort()}>
            ×
          </button>
        </span>
      )}
      <a href={url} download className={buttonClasses("ghost", "sm")} title={t("downloadLinkHint")}>
        {t("downloadLink")}
      </a>
      {failed && <span className="text-xs text-red-600">{t("downloadFailed")}</span>}
    </span>
  );
}
