"use client";
// "Create image" from this instance. The capture is a task: its progress (copying the disk on the
// host, uploading, storing) is shown here live and on the Tasks page; the image is private to the
// instance's owner until someone shares it.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { captureInstanceInput } from "@/common/captures";
import type { InstanceView } from "@/app/_trpc/views";
import { Alert } from "@/app/_components/alert";
import { Button } from "@/app/_components/button";
import { Card } from "@/app/_components/card";
import { Input } from "@/app/_components/field";
import { ProgressBar } from "@/app/_components/progress-bar";
import { FormError } from "@/app/_components/form-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { formatBytes } from "@/app/_lib/units";
import { taskError, taskMessage, useMessage } from "@/app/_lib/render-message";
import { useTRPC } from "@/app/_trpc/client";
import type { ActionMessage } from "../instance-actions";
import { isSettled } from "@/common/instance-states";

export function InstanceCapture({
  instance,
  onMessage,
}: {
  instance: InstanceView;
  onMessage: (m: ActionMessage | null) => void;
}) {
  const t = useTranslations("instanceStorage");
  const render = useMessage();
  const locale = useLocale();
  const trpc = useTRPC();
  // Always open: the form sits in the panel; a wrong name is said beside the field.
  const form = useFormDialog({ open: true, initial: () => ({ name: "" }) });
  const { name } = form.values;
  const [taskId, setTaskId] = useState<string | null>(null);
  const capture = useMutation(trpc.captures.create.mutationOptions());
  const tasks = useQuery(
    trpc.tasks.get.queryOptions(
      { id: taskId ?? "" },
      {
        enabled: taskId !== null,
        refetchInterval: (q) =>
          q.state.data?.state === "succeeded" || q.state.data?.state === "failed" ? false : 1000,
      },
    ),
  );
  const task = tasks.data?.id === taskId ? tasks.data : undefined;

  const onSubmit = form.handleSubmit(async () => {
    onMessage(null);
    const checked = form.check(captureInstanceInput, { instanceId: instance.id, name });
    if (!checked) return;
    const started = await capture.mutateAsync(checked);
    setTaskId(started.taskId);
    form.set("name", "");
  });

  return (
    <Card aria-labelledby="instance-capture-heading" data-testid="capture-panel">
      <h2
        id="instance-capture-heading"
        className="text-base font-semibold text-slate-900 dark:text-slate-100"
      >
        {t("createImage")}
      </h2>
      <p className="mb-3 text-xs text-slate-500 dark:text-slate-400">{t("createImageHint")}</p>
      <form onSubmit={onSubmit} noValidate className="flex flex-wrap items-start gap-2">
        <Input
          label={t("imageName")}
          hideLabel
          placeholder={t("imageName")}
          value={name}
          onChange={(e) => form.set("name", e.target.value)}
          error={form.fieldErrors.name}
          fieldClassName="w-64"
        />
        <Button
          type="submit"
          size="sm"
          busy={capture.isPending}
          disabled={!name.trim() || !isSettled(instance)}
        >
          {t("createImage")}
        </Button>
      </form>
      <div className="mt-3 empty:hidden">
        <FormError message={form.error} />
      </div>
      {taskId && (
        <div className="mt-4 space-y-2" data-testid="capture-progress">
          <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
            <span>{taskMessage(render, task) ?? t("captureQueued")}</span>
            <span className="tabular-nums text-slate-500">
              {task ? `${task.percent}%` : ""}
              {task?.bytesTotal
                ? ` · ${formatBytes(task.bytesDone ?? 0, locale)} / ${formatBytes(task.bytesTotal, locale)}`
                : ""}
            </span>
          </div>
          <ProgressBar
            value={task && task.state !== "queued" ? task.percent : null}
            label={t("captureProgress")}
            tone={task?.state === "failed" ? "danger" : task?.state === "succeeded" ? "success" : "info"}
          />
          {task?.state === "failed" && (
            <Alert tone="error">{taskError(render, task) ?? t("captureFailed")}</Alert>
          )}
          {task?.state === "succeeded" && (
            <Alert tone="success">{t("captureDone", { name: task.targetName })}</Alert>
          )}
          <Link href="/tasks" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
            {t("openTasks")}
          </Link>
        </div>
      )}
    </Card>
  );
}
