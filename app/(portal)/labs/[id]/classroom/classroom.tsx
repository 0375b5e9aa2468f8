"use client";
// The classroom view (E6): every desktop of the lab's pools as a live thumbnail taken by its host from
// QEMU (no software in the guest), with the student's name, its state and whether someone watches its
// console. Click a screen to open its console; reset it; send its student a message. Thumbnails and
// the list refresh every few seconds, and only while the page is visible.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { DESKTOP_MESSAGE_MAX, sendDesktopMessageInput } from "@/common/desktops";
import { Alert } from "@/app/_components/alert";
import { Badge } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { EmptyState } from "@/app/_components/empty-state";
import { Textarea } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { PageHeader } from "@/app/_components/page-header";
import { QueryError, useMutationErrorText } from "@/app/_components/query-error";
import { useFormDialog } from "@/app/_lib/use-form-dialog";
import { useTRPC } from "@/app/_trpc/client";
import type { ClassroomDesktopView } from "@/app/_trpc/views";
import { StateBadge } from "../../../instances/instance-status";
import { usePageVisible, useVisibleTick } from "./use-page-visible";

export const THUMBNAIL_REFRESH_MS = 3000;

type Flash = { tone: "success" | "error"; text: string } | null;

export function Classroom({ labId }: { labId: number }) {
  const t = useTranslations("classroom");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const visible = usePageVisible();
  const tick = useVisibleTick(THUMBNAIL_REFRESH_MS);
  const [flash, setFlash] = useState<Flash>(null);
  const [resetting, setResetting] = useState<ClassroomDesktopView | null>(null);
  const [messaging, setMessaging] = useState<ClassroomDesktopView | null>(null);
  const room = useQuery(
    trpc.desktops.classroom.queryOptions(
      { labId },
      { refetchInterval: visible ? THUMBNAIL_REFRESH_MS : false, refetchIntervalInBackground: false },
    ),
  );
  const reset = useMutation(trpc.desktops.reset.mutationOptions());

  if (!room.data)
    return room.isError ? (
      <QueryError error={room.error} onRetry={() => void room.refetch()} retrying={room.isFetching} />
    ) : (
      <p className="text-sm text-slate-500">{tc("loading")}</p>
    );
  const { lab, desktops } = room.data;
  const assigned = desktops.filter((d) => d.assignedTo !== null).length;
  const running = desktops.filter((d) => d.state === "RUNNING").length;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/labs/${lab.id}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
          {t("backToLab", { name: lab.name })}
        </Link>
      </p>
      <PageHeader
        title={t("title", { name: lab.name })}
        description={
          <span data-testid="classroom-summary">
            {t("summary", { total: desktops.length, running, assigned, seats: lab.seats })}
          </span>
        }
      />
      {flash && (
        <Alert tone={flash.tone} className="mb-4" data-testid="flash">
          {flash.text}
        </Alert>
      )}
      {room.isError && (
        <p className="mb-3 text-sm text-amber-700 dark:text-amber-300">{t("refreshFailed")}</p>
      )}
      {desktops.length === 0 ? (
        <EmptyState title={t("empty")}>{t("emptyHint")}</EmptyState>
      ) : (
        <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
          {desktops.map((d) => (
            <DesktopTile
              key={d.instanceId}
              desktop={d}
              tick={tick}
              onReset={() => setResetting(d)}
              onMessage={() => setMessaging(d)}
            />
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={resetting !== null}
        title={t("resetTitle", { name: resetting?.name ?? "" })}
        body={t("resetBody")}
        confirmLabel={t("reset")}
        busy={reset.isPending}
        onClose={() => setResetting(null)}
        onConfirm={() => {
          const d = resetting!;
          reset.mutate(
            { instanceId: d.instanceId },
            {
              onSuccess: () => {
                setFlash({ tone: "success", text: t("resetStarted", { name: d.name }) });
                void room.refetch();
              },
              onError: (err) => setFlash({ tone: "error", text: errorText(err) }),
              onSettled: () => setResetting(null),
            },
          );
        }}
      />
      <MessageDialog
        desktop={messaging}
        onClose={() => setMessaging(null)}
        onSent={(d) =>
          setFlash({ tone: "success", text: t("messageSent", { name: studentOf(d) ?? d.name }) })
        }
      />
    </>
  );
}

const studentOf = (d: ClassroomDesktopView): string | null =>
  d.assignedTo === null ? null : d.studentName || d.studentUsername || null;

function DesktopTile({
  desktop: d,
  tick,
  onReset,
  onMessage,
}: {
  desktop: ClassroomDesktopView;
  tick: number;
  onReset: () => void;
  onMessage: () => void;
}) {
  const t = useTranslations("classroom");
  const student = studentOf(d);
  const live = d.state === "RUNNING" && !d.task;
  // The screen: a fresh PNG every few seconds (the URL changes with the tick; the route sends no-store).
  const src = `/api/v1/desktops/${d.instanceId}/thumbnail?t=${tick}`;
  return (
    <li
      // A desktop handed to a student stands out from the spare ones.
      className={`flex flex-col overflow-hidden rounded-lg border bg-white shadow-sm dark:bg-slate-900 ${
        student
          ? "border-indigo-400 ring-1 ring-indigo-300 dark:border-indigo-500 dark:ring-indigo-700"
          : "border-slate-200 dark:border-slate-800"
      }`}
      data-testid="desktop-tile"
      data-desktop={d.name}
      aria-label={t("tileLabel", { name: d.name })}
    >
      <Link
        href={`/instances/${d.instanceId}/console`}
        className="relative block aspect-video bg-slate-900"
        aria-label={t("openConsole", { name: d.name })}
      >
        {live ? (
          <img
            src={src}
            alt={t("screenOf", { name: d.name })}
            className="size-full object-contain"
            data-testid="desktop-thumbnail"
          />
        ) : (
          <span className="grid size-full place-items-center text-sm text-slate-300">
            {t(`noScreen.${d.state === "RUNNING" ? "busy" : "off"}`)}
          </span>
        )}
      </Link>
      <div className="flex flex-1 flex-col gap-2 p-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <span className="min-w-0 truncate text-sm font-medium" title={d.name}>
            {d.name}
          </span>
          <StateBadge state={d.state} />
        </div>
        <p className="text-sm" data-testid="desktop-student">
          {student ? (
            <span className="font-medium text-slate-800 dark:text-slate-100">{student}</span>
          ) : (
            <span className="text-slate-500 dark:text-slate-400">{t("spare")}</span>
          )}
        </p>
        <div className="flex flex-wrap items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
          {d.viewers > 0 ? (
            <Badge tone="info">{t("viewers", { count: d.viewers })}</Badge>
          ) : (
            <span>{t("noViewer")}</span>
          )}
          {d.profileVersion !== null && d.profileVersion !== d.currentVersion && (
            <Badge tone="warning">{t("oldVersion", { version: d.profileVersion })}</Badge>
          )}
        </div>
        <div className="mt-auto flex flex-wrap gap-2">
          <Button size="sm" variant="secondary" onClick={onReset} disabled={d.state !== "RUNNING"}>
            {t("reset")}
          </Button>
          <Button size="sm" variant="secondary" onClick={onMessage} disabled={d.assignedTo === null}>
            {t("message")}
          </Button>
        </div>
      </div>
    </li>
  );
}

function MessageDialog({
  desktop,
  onClose,
  onSent,
}: {
  desktop: ClassroomDesktopView | null;
  onClose: () => void;
  onSent: (d: ClassroomDesktopView) => void;
}) {
  const t = useTranslations("classroom");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const send = useMutation(trpc.desktops.sendMessage.mutationOptions());
  const form = useFormDialog({ open: desktop !== null, initial: () => ({ text: "" }) });
  const onSubmit = form.handleSubmit(async () => {
    const checked = form.check(sendDesktopMessageInput, {
      instanceId: desktop!.instanceId,
      text: form.values.text,
    });
    if (!checked) return;
    await send.mutateAsync(checked);
    onSent(desktop!);
    onClose();
  });
  return (
    <Dialog
      open={desktop !== null}
      onClose={onClose}
      title={t("messageTitle", { name: desktop ? (studentOf(desktop) ?? desktop.name) : "" })}
      description={t("messageBody")}
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.error} />
        <Textarea
          label={t("messageText")}
          rows={3}
          maxLength={DESKTOP_MESSAGE_MAX}
          value={form.values.text}
          onChange={(e) => form.set("text", e.target.value)}
          error={form.fieldErrors.text}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button type="submit" busy={form.submitting}>
            {t("send")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
