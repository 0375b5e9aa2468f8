"use client";
// Console / Start / Stop / Reboot / Delete for one instance. Which buttons appear follows the same pure
// guards the server applies, so a button is never offered for an action the server would refuse.
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { InstanceView } from "@/app/_trpc/views";
import { canDelete, canReboot, canResize, canStart, canStop } from "@/common/instance-states";
import { Button, ButtonLink, type ButtonSize } from "@/app/_components/button";
import { Dialog, DialogActions } from "@/app/_components/dialog";
import { useMutationErrorText } from "@/app/_components/query-error";
import { useTRPC } from "@/app/_trpc/client";
import { ResizeDialog } from "./resize-dialog";
import { useInstanceCache } from "./use-instances";

export interface InstanceActionPermissions {
  start: boolean;
  stop: boolean;
  reboot: boolean;
  delete: boolean;
  /** May open the instance's console (the link shows while it is running). */
  console: boolean;
  /** May give a stopped instance another flavor (the button shows while it is stopped and idle). */
  resize?: boolean;
}

type Action = Exclude<keyof InstanceActionPermissions, "console" | "resize">;

export interface ActionMessage {
  tone: "success" | "error";
  text: string;
}

interface InstanceActionsProps {
  instance: InstanceView;
  allowed: InstanceActionPermissions;
  onMessage: (message: ActionMessage | null) => void;
  size?: ButtonSize;
}

export function InstanceActions({ instance, allowed, onMessage, size = "sm" }: InstanceActionsProps) {
  const t = useTranslations("instances");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const errorText = useMutationErrorText();
  const cache = useInstanceCache();
  const [confirming, setConfirming] = useState(false);
  const [resizing, setResizing] = useState(false);
  const mutations = {
    start: useMutation(trpc.instances.start.mutationOptions()),
    stop: useMutation(trpc.instances.stop.mutationOptions()),
    reboot: useMutation(trpc.instances.reboot.mutationOptions()),
    delete: useMutation(trpc.instances.delete.mutationOptions()),
  };
  const pending = Object.values(mutations).some((m) => m.isPending);

  async function run(action: Action) {
    onMessage(null);
    try {
      cache.apply(await mutations[action].mutateAsync({ id: instance.id }));
    } catch (err) {
      // Usually a CONFLICT ("The instance is stopping; it cannot be started now."): someone else acted first.
      onMessage({ tone: "error", text: errorText(err) });
    } finally {
      setConfirming(false);
      void cache.invalidate();
    }
  }

  const button = (action: Exclude<Action, "delete">, show: boolean) =>
    allowed[action] &&
    show && (
      <Button
        size={size}
        variant="secondary"
        className="whitespace-nowrap"
        busy={mutations[action].isPending}
        disabled={pending}
        onClick={() => void run(action)}
      >
        {t(action)}
      </Button>
    );

  // In a table row the buttons may wrap: a row that does not fit the window must not hide its last action.
  return (
    <div className={`flex flex-wrap justify-end ${size === "sm" ? "gap-1" : "gap-2"}`}>
      {allowed.console && instance.state === "RUNNING" && (
        <ButtonLink
          href={`/instances/${instance.id}/console`}
          size={size}
          variant="secondary"
          className="whitespace-nowrap"
        >
          {t("console")}
        </ButtonLink>
      )}
      {button("start", canStart(instance))}
      {button("stop", canStop(instance))}
      {button("reboot", canReboot(instance))}
      {allowed.resize && canResize(instance) && (
        <Button
          size={size}
          variant="secondary"
          className="whitespace-nowrap"
          disabled={pending}
          onClick={() => {
            onMessage(null);
            setResizing(true);
          }}
        >
          {t("resize")}
        </Button>
      )}
      {allowed.delete && canDelete(instance) && (
        <Button
          size={size}
          variant="ghost"
          className="whitespace-nowrap text-red-700 dark:text-red-400"
          disabled={pending}
          onClick={() => {
            onMessage(null);
            setConfirming(true);
          }}
        >
          {t("delete")}
        </Button>
      )}
      {allowed.resize && (
        <ResizeDialog
          instance={instance}
          open={resizing}
          onClose={() => setResizing(false)}
          onDone={(text) => {
            setResizing(false);
            onMessage({ tone: "success", text });
          }}
        />
      )}
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title={t("deleteTitle", { name: instance.name })}
        description={t("deleteBody")}
      >
        <DialogActions>
          <Button variant="secondary" onClick={() => setConfirming(false)}>
            {tc("cancel")}
          </Button>
          <Button variant="danger" busy={mutations.delete.isPending} onClick={() => void run("delete")}>
            {t("deleteConfirm")}
          </Button>
        </DialogActions>
      </Dialog>
    </div>
  );
}
