"use client";
// Uploads go to the REST endpoint with the file as the raw request body (streamed to disk on the
// server), not through tRPC. Progress comes from XMLHttpRequest; the server then checks the file with
// qemu-img, which can take a moment after the last byte is sent.
import { useLocale, useTranslations } from "next-intl";
import { useEffect, useRef, useState, type FormEvent } from "react";
import type { ImageRow } from "@/db/schema/compute";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { ProgressBar } from "@/app/_components/progress-bar";
import { bytesToMiB, formatNumber } from "@/app/_lib/units";
import { UploadAbortedError, uploadFile, type UploadProgress } from "@/app/_lib/upload-file";
import type { FieldErrors } from "@/app/_lib/validation";

// Spelled out here rather than imported: the schema module would pull the database layer into the browser bundle.
type Format = ImageRow["format"];
type Visibility = ImageRow["visibility"];
const FORMATS: readonly Format[] = ["qcow2", "raw"];
const VISIBILITIES: readonly Visibility[] = ["public", "group", "private"];

/** The format a file's extension suggests; the server checks the content and refuses a mismatch. */
function formatFromName(fileName: string): Format | null {
  if (/\.qcow2?$/i.test(fileName)) return "qcow2";
  if (/\.(raw|img|bin)$/i.test(fileName)) return "raw";
  return null;
}

const baseName = (fileName: string) => fileName.replace(/\.[^.]+$/, "").slice(0, 128);

interface ServerError {
  message?: string;
  fieldErrors?: Record<string, string> | null;
}

type Phase = "idle" | "sending" | "checking";

export function UploadImageDialog({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: (message: string) => void }) {
  const t = useTranslations("images");
  const tc = useTranslations("common");
  const tv = useTranslations("validation");
  const te = useTranslations("errors");
  const locale = useLocale();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  // Once the person types a name, choosing another file no longer overwrites it.
  const [nameEdited, setNameEdited] = useState(false);
  const [format, setFormat] = useState<Format>("qcow2");
  const [visibility, setVisibility] = useState<Visibility>("public");
  const [phase, setPhase] = useState<Phase>("idle");
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    if (!open) return;
    setFile(null);
    setName("");
    setNameEdited(false);
    setFormat("qcow2");
    setVisibility("public");
    setPhase("idle");
    setProgress(null);
    setFieldErrors({});
    setError(null);
  }, [open]);

  // Closing the dialog (or leaving the page) cancels a running upload instead of leaving it orphaned.
  useEffect(() => () => abort.current?.abort(), []);

  function close() {
    abort.current?.abort();
    onClose();
  }

  function chooseFile(next: File | null) {
    setFile(next);
    if (!next) return;
    if (!nameEdited) setName(baseName(next.name));
    const guessed = formatFromName(next.name);
    if (guessed) setFormat(guessed);
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const errors: FieldErrors = {};
    if (!file) errors.file = t("fileRequired");
    if (!name.trim()) errors.name = tv("required");
    else if (name.trim().length > 128) errors.name = tv("maxLength", { max: 128 });
    setFieldErrors(errors);
    if (!file || Object.keys(errors).length) return;

    const params = new URLSearchParams({ name: name.trim(), format, visibility });
    const controller = new AbortController();
    abort.current = controller;
    setPhase("sending");
    setProgress({ loaded: 0, total: file.size, bytesPerSecond: 0 });
    try {
      const res = await uploadFile(`/api/v1/images?${params}`, file, {
        signal: controller.signal,
        onProgress: setProgress,
        onSent: () => setPhase("checking"),
      });
      if (res.status === 201) {
        onDone(t("uploaded", { name: name.trim() }));
        return;
      }
      // e.g. 400 "The file is raw, not qcow2 as declared." with the per-field text when there is one.
      const body = (res.body ?? {}) as ServerError;
      setFieldErrors(body.fieldErrors ?? {});
      setError(body.message ?? t("uploadFailed", { status: res.status }));
    } catch (err) {
      if (!(err instanceof UploadAbortedError)) setError(te("network"));
    } finally {
      if (abort.current === controller) abort.current = null;
      setPhase("idle");
    }
  }

  const busy = phase !== "idle";
  const percent = progress && progress.total > 0 ? Math.floor((progress.loaded / progress.total) * 100) : 0;

  return (
    <Dialog open={open} onClose={close} title={t("uploadTitle")} description={t("uploadDescription")}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {error && <Alert tone="error" data-testid="form-error">{error}</Alert>}
        <Input
          label={t("file")}
          type="file"
          accept=".qcow2,.qcow,.img,.raw,.bin,application/octet-stream"
          disabled={busy}
          onChange={(e) => chooseFile(e.target.files?.[0] ?? null)}
          error={fieldErrors.file}
          className="file:mr-3 file:rounded file:border-0 file:bg-slate-100 file:px-2 file:py-1 file:text-sm file:font-medium file:text-slate-800 dark:file:bg-slate-800 dark:file:text-slate-100"
        />
        <Input
          label={t("name")}
          autoComplete="off"
          value={name}
          disabled={busy}
          onChange={(e) => { setName(e.target.value); setNameEdited(true); }}
          error={fieldErrors.name}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <Select
            label={t("format")}
            value={format}
            disabled={busy}
            onChange={(e) => setFormat(e.target.value as Format)}
            options={FORMATS.map((f) => ({ value: f, label: f }))}
            error={fieldErrors.format}
          />
          <Select
            label={t("visibility")}
            value={visibility}
            disabled={busy}
            onChange={(e) => setVisibility(e.target.value as Visibility)}
            options={VISIBILITIES.map((v) => ({ value: v, label: t(`visibility_${v}`) }))}
            error={fieldErrors.visibility}
          />
        </div>

        {busy && progress && (
          <div className="space-y-1.5" data-testid="upload-progress">
            <ProgressBar value={phase === "checking" ? null : percent} label={t("uploadProgress")} />
            <p className="flex flex-wrap justify-between gap-2 text-xs tabular-nums text-slate-600 dark:text-slate-400">
              {phase === "checking" ? (
                <span>{t("checking")}</span>
              ) : (
                <>
                  <span>{t("progress", { percent, speed: formatNumber(progress.bytesPerSecond / 1e6, locale) })}</span>
                  <span>{t("transferred", { loaded: formatNumber(bytesToMiB(progress.loaded), locale), total: formatNumber(bytesToMiB(progress.total), locale) })}</span>
                </>
              )}
            </p>
          </div>
        )}

        <DialogActions>
          <Button variant="secondary" onClick={close}>{tc("cancel")}</Button>
          <Button type="submit" busy={busy}>{t("uploadSubmit")}</Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
