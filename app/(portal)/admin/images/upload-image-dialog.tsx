"use client";
// Resumable upload over tus (app/_lib/tus-upload.ts): the bar follows the bytes the server has; after a
// reload, choosing the same file again resumes where the server is. Once every byte is in, the server
// converts the image in a background task, which this dialog follows until it is stored or refused.
import { useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { Alert } from "@/app/_components/alert";
import { FormError } from "@/app/_components/form-error";
import { Button } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { Input, Select } from "@/app/_components/field";
import { ProgressBar } from "@/app/_components/progress-bar";
import { bytesToMiB, formatNumber } from "@/app/_lib/units";
import {
  fingerprintOf,
  listPendingUploads,
  TusAbortedError,
  tusUpload,
  type PendingUpload,
} from "@/app/_lib/tus-upload";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import type { FieldErrors } from "@/app/_lib/validation";
import { taskError, taskMessage, useMessage } from "@/app/_lib/render-message";
import { useTRPC } from "@/app/_trpc/client";
import {
  IMAGE_SOURCE_FORMATS as FORMATS,
  type ImageSourceFormat as Format,
  type ImageVisibility as Visibility,
} from "@/common/images";

/** The format a file's extension suggests; the server checks the content and refuses a mismatch. */
function formatFromName(fileName: string): Format | null {
  const m = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (m === "qcow" || m === "qcow2") return "qcow2";
  if (m === "img" || m === "raw" || m === "bin") return "raw";
  return (FORMATS as readonly string[]).includes(m ?? "") ? (m as Format) : null;
}

const baseName = (fileName: string) => fileName.replace(/\.[^.]+$/, "").slice(0, 128);

type Phase = "idle" | "sending" | "converting";

export interface NewVersionOf {
  id: string;
  name: string;
}

export function UploadImageDialog({
  open,
  onClose,
  onDone,
  visibilities,
  newVersionOf,
}: {
  open: boolean;
  onClose: () => void;
  onDone: (message: string) => void;
  /** What the viewer's role may give (common/images.ts): public is superAdm's, a powerUser's private only. */
  visibilities: readonly Visibility[];
  newVersionOf?: NewVersionOf | null;
}) {
  const t = useTranslations("images");
  const tc = useTranslations("common");
  const render = useMessage();
  const locale = useLocale();
  const trpc = useTRPC();
  const form = useFormDialog({
    open,
    initial: () => ({
      file: null as File | null,
      name: "",
      nameEdited: false,
      format: "qcow2" as Format,
      visibility: (visibilities.includes("public") ? "public" : "private") as Visibility,
      osType: "linux",
      minDiskGiB: "0",
      minRamMiB: "0",
    }),
    resetOn: [visibilities],
  });
  const { file, name, nameEdited, format, visibility, osType, minDiskGiB, minRamMiB } = form.values;
  const { fieldErrors, setFieldErrors, setError, set, tv } = form;
  const [phase, setPhase] = useState<Phase>("idle");
  const [sent, setSent] = useState<{ sent: number; total: number } | null>(null);
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  const [taskId, setTaskId] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingUpload[]>([]);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    if (!open) return;
    setPhase("idle");
    setSent(null);
    setResumedAt(null);
    setTaskId(null);
    setPending(listPendingUploads());
  }, [open, visibilities]);

  // Closing the dialog (or leaving the page) stops sending; the upload stays resumable.
  useEffect(() => () => abort.current?.abort(), []);

  // The conversion task, polled until it ends.
  const tasks = useQuery({
    ...trpc.tasks.get.queryOptions({ id: taskId ?? "" }),
    enabled: phase === "converting" && taskId !== null,
    refetchInterval: 1000,
  });
  const task = tasks.data?.id === taskId ? tasks.data : undefined;
  useEffect(() => {
    if (phase !== "converting" || !task) return;
    if (task.state === "succeeded") {
      setPhase("idle");
      onDone(t("uploaded", { name: name.trim() || newVersionOf?.name || "" }));
    }
    if (task.state === "failed") {
      setPhase("idle");
      setError(t("refused", { reason: taskError(render, task) ?? "" }));
    }
  }, [task, phase, onDone, t, name, newVersionOf, setError]);

  function close() {
    abort.current?.abort();
    onClose();
  }

  function chooseFile(next: File | null) {
    set("file", next);
    if (!next) return;
    if (!nameEdited) set("name", baseName(next.name));
    const guessed = formatFromName(next.name);
    if (guessed) set("format", guessed);
  }

  const onSubmit = form.handleSubmit(async () => {
    const errors: FieldErrors = {};
    if (!file) errors.file = t("fileRequired");
    if (!newVersionOf) {
      if (!name.trim()) errors.name = tv("required");
      else if (name.trim().length > 128) errors.name = tv("maxLength", { max: 128 });
    }
    setFieldErrors(errors);
    if (!file || Object.keys(errors).length) return;

    const controller = new AbortController();
    abort.current = controller;
    setPhase("sending");
    setSent({ sent: 0, total: file.size });
    try {
      const id = await tusUpload({
        endpoint: "/api/v1/uploads",
        file,
        signal: controller.signal,
        metadata: {
          name: name.trim() || newVersionOf?.name || file.name,
          format,
          visibility,
          osType,
          minDiskGiB,
          minRamMiB,
          filename: file.name,
          ...(newVersionOf ? { newVersionOf: newVersionOf.id } : {}),
        },
        onProgress: (s, total) => setSent({ sent: s, total }),
        onResume: (offset) => setResumedAt(offset),
      });
      setTaskId(id);
      setPhase("converting");
    } catch (err) {
      setPhase("idle");
      if (err instanceof TusAbortedError) return;
      throw err;
    } finally {
      if (abort.current === controller) abort.current = null;
    }
  });

  const busy = phase !== "idle";
  const percent = sent && sent.total > 0 ? Math.floor((sent.sent / sent.total) * 100) : 0;
  const resumable = file ? pending.find((p) => p.fingerprint === fingerprintOf(file)) : undefined;

  return (
    <Dialog
      open={open}
      onClose={close}
      title={newVersionOf ? t("newVersionTitle", { name: newVersionOf.name }) : t("uploadTitle")}
      description={t("uploadDescription")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        {!busy && pending.length > 0 && (
          <Alert tone="info" data-testid="pending-uploads">
            {t("pendingUploads", { files: pending.map((p) => p.fileName).join(", ") })}
          </Alert>
        )}
        <Input
          label={t("file")}
          type="file"
          accept=".qcow2,.qcow,.img,.raw,.bin,.vmdk,.vdi,.iso,.ova,application/octet-stream"
          disabled={busy}
          onChange={(e) => chooseFile(e.target.files?.[0] ?? null)}
          error={fieldErrors.file}
          className="file:mr-3 file:rounded file:border-0 file:bg-slate-100 file:px-2 file:py-1 file:text-sm file:font-medium file:text-slate-800 dark:file:bg-slate-800 dark:file:text-slate-100"
        />
        {resumable && !busy && (
          <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="will-resume">
            {t("willResume")}
          </p>
        )}
        {!newVersionOf && (
          <Input
            label={t("name")}
            autoComplete="off"
            value={name}
            disabled={busy}
            onChange={(e) => {
              set("name", e.target.value);
              set("nameEdited", true);
            }}
            error={fieldErrors.name}
          />
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          <Select
            label={t("format")}
            value={format}
            disabled={busy}
            onChange={(e) => set("format", e.target.value as Format)}
            options={FORMATS.map((f) => ({ value: f, label: f }))}
            error={fieldErrors.format}
          />
          <Select
            label={t("visibility")}
            value={visibility}
            disabled={busy || visibilities.length < 2}
            onChange={(e) => set("visibility", e.target.value as Visibility)}
            options={visibilities.map((v) => ({ value: v, label: t(`visibility_${v}`) }))}
            hint={visibilities.includes("public") ? undefined : t("visibilityHint")}
            error={fieldErrors.visibility}
          />
          <Input
            label={t("osType")}
            value={osType}
            disabled={busy}
            onChange={(e) => set("osType", e.target.value)}
            error={fieldErrors.osType}
          />
          <div className="grid grid-cols-2 gap-2">
            <Input
              label={t("minDiskGiB")}
              type="number"
              min={0}
              value={minDiskGiB}
              disabled={busy}
              onChange={(e) => set("minDiskGiB", e.target.value)}
              error={fieldErrors.minDiskGiB}
            />
            <Input
              label={t("minRamMiB")}
              type="number"
              min={0}
              value={minRamMiB}
              disabled={busy}
              onChange={(e) => set("minRamMiB", e.target.value)}
              error={fieldErrors.minRamMiB}
            />
          </div>
        </div>

        {busy && sent && (
          <div className="space-y-1.5" data-testid="upload-progress">
            {phase === "sending" ? (
              <>
                <ProgressBar value={percent} label={t("uploadProgress")} />
                <p className="flex flex-wrap justify-between gap-2 text-xs tabular-nums text-slate-600 dark:text-slate-400">
                  <span>
                    {resumedAt !== null
                      ? t("resumedFrom", { percent: Math.floor((resumedAt / sent.total) * 100) })
                      : `${percent}%`}
                  </span>
                  <span>
                    {t("transferred", {
                      loaded: formatNumber(bytesToMiB(sent.sent), locale),
                      total: formatNumber(bytesToMiB(sent.total), locale),
                    })}
                  </span>
                </p>
              </>
            ) : (
              <>
                <ProgressBar value={task ? task.percent : null} label={t("conversionProgress")} />
                <p className="text-xs text-slate-600 dark:text-slate-400">
                  {taskMessage(render, task) ?? t("checking")}
                </p>
              </>
            )}
          </div>
        )}

        <DialogActions>
          <Button variant="secondary" onClick={close}>
            {busy ? t("pauseUpload") : tc("cancel")}
          </Button>
          <Button type="submit" busy={busy}>
            {t("uploadSubmit")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
