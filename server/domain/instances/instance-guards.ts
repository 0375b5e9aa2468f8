// Pure rules shared by the UI (which buttons to show) and the domain (what to accept).
import type { InstanceState } from "@/db/schema/compute";

type Guardable = { state: InstanceState; task: string | null };

export const canStart = (i: Guardable) => i.state === "STOPPED" && !i.task;
export const canStop = (i: Guardable) => i.state === "RUNNING" && !i.task;
export const canReboot = (i: Guardable) => i.state === "RUNNING" && !i.task;
export const canDelete = (i: Guardable) => i.state !== "DELETING" && i.state !== "DELETED";
export const isBusy = (i: Guardable) =>
  ["PENDING", "SCHEDULED", "BUILDING", "STOPPING", "DELETING"].includes(i.state) || !!i.task;

/** States from which each action may start (the conditional UPDATE uses the same lists). */
export const ACTION_FROM: Record<"start" | "stop" | "reboot", InstanceState[]> = {
  start: ["STOPPED"],
  stop: ["RUNNING"],
  reboot: ["RUNNING"],
};
