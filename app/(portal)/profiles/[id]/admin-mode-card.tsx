"use client";
// Admin mode: the teacher boots the profile's current version writable, changes it through the
// console, then publishes it as the next version (with a note; a capture task, followed live here) or
// discards the changes. It is refused while desktops of the profile run: they are listed with a way to
// shut each down (a running pool replaces them, so its lab's pool is to be stopped first).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { publishAdminModeInput } from "@/common/profiles";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { Button, ButtonLink } from "@/app/_components/button";
import { Card, CardHeader } from "@/app/_components/card";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Textarea } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { ProgressBar } from "@/app/_components/progress-bar";
import { useMutationErrorText } from "@/app/_components/query-error";
import { useDescribeError } from "@/app/_lib/describe-error";
import { taskError, taskMessage, useMessage } from "@/app/_lib/render-message";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { ProfileDetailView } from "@/app/_trpc/views";
import type { Flash } from "../../_components/resource-detail";
import type { OnProfile } from "./profile-detail";

export function AdminModeCard({
  profile,
  onFlash,
  onChanged,
  onRefresh,
}: {
  profile: ProfileDetailView;
  onFlash: (f: Flash) => void;
  onChanged: OnProfile;
  onRefresh: () => Promise<unknown>;
}) {
  const t = useTranslations("profiles");
  const trpc = useTRPC();
  const render = useMessage();
  const describe = useDescribeError();
  const errorText = useMutationErrorText();
  const [blocked, setBlocked] = useState<string | null>(null);
  const [discarding, setDiscarding] = useState(false);
  const [taskId, setTaskId] = useState<string | null>(null);
  const start = useMutation(trpc.profiles.startAdminMode.mutationOptions());
  const publish = useMutation(trpc.profiles.publishAdminMode.mutationOptions());
  const discard = useMutation(trpc.profiles.discardAdminMode.mutationOptions());
  const stop = useMutation(trpc.instances.stop.mutationOptions());
  // Only after a refusal for running desktops: which they are, refreshed while they shut down.
  const running = useQuery(
    trpc.profiles.runningDesktops.queryOptions(
      { id: profile.id },
      { enabled: blocked !== null, refetchInterval: blocked ? 3000 : false },
    ),
  );
  const publishing = profile.publishingTaskId ?? taskId;
  const tasks = useQuery(
    trpc.tasks.get.queryOptions(
      { id: publishing ?? "" },
      {
        enabled: publishing !== null,
        refetchInterval: (q) => {
          const s = q.state.data?.state;
          return s === "succeeded" || s === "failed" ? false : 1000;
        },
      },
    ),
  );
  const task = tasks.data?.id === publishing ? tasks.data : undefined;
  const note = useFormDialog({ open: true, initial: () => ({ note: "" }) });

  const onStart = () => {
    onFlash(null);
    start.mutate(
      { id: profile.id },
      {
        onSuccess: (p) => {
          setBlocked(null);
          onChanged(p);
          onFlash({ tone: "success", text: t("adminModeStarted") });
        },
        onError: (err) => {
          const d = describe(err);
          if (d.messageCode === "profiles.desktopsRunning") setBlocked(d.message);
          else onFlash({ tone: "error", text: d.message });
        },
      },
    );
  };

  const onPublish = note.handleSubmit(async () => {
    const checked = note.check(publishAdminModeInput, { id: profile.id, note: note.values.note });
    if (!checked) return;
    const res = await publish.mutateAsync(checked);
    setTaskId(res.taskId);
    note.set("note", "");
    await onRefresh();
  });

  return (
    <Card aria-labelledby="admin-mode-heading" data-testid="admin-mode-card">
      <div id="admin-mode-heading">
        <CardHeader title={t("adminMode")} />
      </div>
      {publishing ? (
        <div className="space-y-2" data-testid="publish-progress">
          <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
            <span>{taskMessage(render, task) ?? t("publishQueued")}</span>
            <span className="tabular-nums text-slate-500">{task ? `${task.percent}%` : ""}</span>
          </div>
          <ProgressBar
            value={task && task.state !== "queued" ? task.percent : null}
            label={t("publishProgress")}
            tone={task?.state === "failed" ? "danger" : task?.state === "succeeded" ? "success" : "info"}
          />
          {task?.state === "failed" && (
            <Alert tone="error">{taskError(render, task) ?? t("publishFailed")}</Alert>
          )}
          {task?.state === "succeeded" && !profile.publishingTaskId && (
            <Alert tone="success">{t("published", { version: profile.currentVersion })}</Alert>
          )}
          {task && task.state !== "queued" && task.state !== "running" && (
            <Button size="sm" variant="secondary" onClick={() => setTaskId(null)}>
              {t("publishDismiss")}
            </Button>
          )}
        </div>
      ) : profile.adminInstanceId ? (
        <div className="space-y-4">
          <p className="text-sm text-slate-600 dark:text-slate-400">{t("adminModeRunning")}</p>
          <ButtonLink href={`/instances/${profile.adminInstanceId}/console`}>
            {t("openAdminConsole")}
          </ButtonLink>
          <form onSubmit={onPublish} noValidate className="space-y-3">
            <FormError message={note.error} />
            <Textarea
              label={t("publishNote")}
              rows={2}
              value={note.values.note}
              onChange={(e) => note.set("note", e.target.value)}
              error={note.fieldErrors.note}
              hint={t("publishNoteHint", { version: profile.versions[0]!.version + 1 })}
            />
            <div className="flex flex-wrap gap-2">
              <Button type="submit" busy={note.submitting}>
                {t("publish")}
              </Button>
              <Button variant="danger" onClick={() => setDiscarding(true)}>
                {t("discard")}
              </Button>
            </div>
          </form>
        </div>
      ) : (
        <div className="space-y-3">
          <p className="text-sm text-slate-600 dark:text-slate-400">{t("adminModeBody")}</p>
          <Button onClick={onStart} busy={start.isPending}>
            {t("startAdminMode")}
          </Button>
          {blocked && (
            <Alert tone="warning" data-testid="admin-mode-blocked">
              <p>{blocked}</p>
              <p className="mt-1">{t("blockedHint")}</p>
              {profile.labs.length > 0 && (
                <p className="mt-1 flex flex-wrap gap-2">
                  {profile.labs.map((l) => (
                    <Link key={l.id} href={`/labs/${l.id}`} className="underline">
                      {l.name}
                    </Link>
                  ))}
                </p>
              )}
              {running.data && running.data.length > 0 ? (
                <ul className="mt-2 space-y-1">
                  {running.data.map((d) => (
                    <li key={d.id} className="flex flex-wrap items-center gap-2">
                      <span className="font-medium">{d.name}</span>
                      <Badge>{d.state}</Badge>
                      <span className="text-xs">
                        {d.assignedTo ? d.assignedTo.displayName || d.assignedTo.username : t("unassigned")}
                      </span>
                      <Button
                        size="sm"
                        variant="secondary"
                        busy={stop.isPending && stop.variables?.id === d.id}
                        disabled={d.state !== "RUNNING"}
                        onClick={() =>
                          stop.mutate(
                            { id: d.id },
                            {
                              onSuccess: () => void running.refetch(),
                              onError: (err) => onFlash({ tone: "error", text: errorText(err) }),
                            },
                          )
                        }
                      >
                        {t("shutDown")}
                      </Button>
                    </li>
                  ))}
                </ul>
              ) : (
                running.data && <p className="mt-2">{t("noneRunningNow")}</p>
              )}
            </Alert>
          )}
        </div>
      )}
      <ConfirmDialog
        open={discarding}
        title={t("discardTitle")}
        body={t("discardBody")}
        confirmLabel={t("discard")}
        busy={discard.isPending}
        onClose={() => setDiscarding(false)}
        onConfirm={() =>
          discard.mutate(
            { id: profile.id },
            {
              onSuccess: (p) => {
                setDiscarding(false);
                onChanged(p);
                onFlash({ tone: "success", text: t("discarded") });
              },
              onError: (err) => {
                setDiscarding(false);
                onFlash({ tone: "error", text: errorText(err) });
              },
            },
          )
        }
      />
    </Card>
  );
}
