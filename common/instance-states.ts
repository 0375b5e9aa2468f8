// The one home of an instance's life cycle: which states exist, what a user may do in each, which
// reports from a host are believed in each, and which states are "in motion". The database enum, the
// domain's guards, the controller and the browser all read these tables, so a rule changes in one place.
import { z } from "zod";

export const INSTANCE_STATES = [
  "PENDING",
  "SCHEDULED",
  "BUILDING",
  "RUNNING",
  "STOPPING",
  "STOPPED",
  "DELETING",
  "DELETED",
  "ERROR",
] as const;
export const instanceStateSchema = z.enum(INSTANCE_STATES);

/** server: launched by hand; desktop: a pool's desktop of a profile; admin: a profile in admin mode. */
export const INSTANCE_KINDS = ["server", "desktop", "admin"] as const;
export type InstanceKind = (typeof INSTANCE_KINDS)[number];
export type InstanceState = z.infer<typeof instanceStateSchema>;

export const INSTANCE_ACTIONS = ["start", "stop", "reboot", "delete"] as const;
export type InstanceAction = (typeof INSTANCE_ACTIONS)[number];

/** States that change by themselves (a job is under way): pages poll faster and badges pulse. */
export const TRANSITIONAL_STATES: readonly InstanceState[] = [
  "PENDING",
  "SCHEDULED",
  "BUILDING",
  "STOPPING",
  "DELETING",
];

/** States in which the disk is at rest on its host, so snapshots, volumes and captures may act on it. */
export const SETTLED_STATES: readonly InstanceState[] = ["RUNNING", "STOPPED"];

/**
 * States an action may start from. Delete is accepted even while another action is under way (the user
 * must always be able to get rid of a stuck instance), and again while deleting: a delete whose job or
 * answer was lost is sent again (a new op_seq, so a new job id); the others need the instance idle.
 */
export const ACTION_FROM: Record<InstanceAction, readonly InstanceState[]> = {
  start: ["STOPPED"],
  stop: ["RUNNING"],
  reboot: ["RUNNING"],
  delete: ["PENDING", "SCHEDULED", "BUILDING", "RUNNING", "STOPPING", "STOPPED", "DELETING", "ERROR"],
};

/**
 * Where an accepted action puts the instance until its host reports back, and the task it shows. Start
 * keeps STOPPED (the host's RUNNING report moves it), reboot keeps RUNNING.
 */
export const ACTION_PLAN: Record<InstanceAction, { to: InstanceState; task: string }> = {
  start: { to: "STOPPED", task: "starting" },
  stop: { to: "STOPPING", task: "stopping" },
  reboot: { to: "RUNNING", task: "rebooting" },
  delete: { to: "DELETING", task: "deleting" },
};

/** What a host may report about an instance (the agent's instance.state event). */
export const REPORTED_STATES = ["BUILDING", "RUNNING", "STOPPED", "DELETED", "ERROR"] as const;
export type ReportedState = (typeof REPORTED_STATES)[number];

/**
 * Which reports are believed in which state. A late report from an older job (e.g. RUNNING arriving after
 * a delete was requested) must not resurrect the instance, and nothing comes back from DELETED.
 */
export const ACCEPTS: Record<InstanceState, readonly ReportedState[]> = {
  PENDING: ["ERROR"],
  SCHEDULED: ["BUILDING", "RUNNING", "ERROR", "DELETED"],
  BUILDING: ["BUILDING", "RUNNING", "STOPPED", "ERROR", "DELETED"],
  RUNNING: ["RUNNING", "STOPPED", "ERROR", "DELETED"],
  STOPPING: ["STOPPED", "RUNNING", "ERROR", "DELETED"],
  STOPPED: ["RUNNING", "STOPPED", "ERROR", "DELETED"],
  DELETING: ["DELETED", "ERROR"],
  DELETED: [],
  ERROR: ["RUNNING", "STOPPED", "DELETED", "ERROR"],
};

type Guardable = { state: InstanceState; task: string | null };

export const acceptsReport = (current: InstanceState, reported: ReportedState): boolean =>
  ACCEPTS[current].includes(reported);

export const canAct = (i: Guardable, action: InstanceAction): boolean =>
  ACTION_FROM[action].includes(i.state) && (action === "delete" || !i.task);
export const canStart = (i: Guardable) => canAct(i, "start");
export const canStop = (i: Guardable) => canAct(i, "stop");
export const canReboot = (i: Guardable) => canAct(i, "reboot");
export const canDelete = (i: Guardable) => canAct(i, "delete");
/** Resize needs the VM off and nothing else under way: the next start reads the new size. */
export const canResize = (i: Guardable) => i.state === "STOPPED" && !i.task;

export const isTransitional = (state: InstanceState) => TRANSITIONAL_STATES.includes(state);
/** Something will change without the user doing anything: poll for it. */
export const isBusy = (i: Guardable) => isTransitional(i.state) || !!i.task;
/** Running or stopped with nothing under way: storage operations may start. */
export const isSettled = (i: Guardable) => SETTLED_STATES.includes(i.state) && !i.task;
/** An instance holds its host's capacity (and its addresses) until it is DELETED, stopped ones too. */
export const holdsCapacity = (state: InstanceState) => state !== "DELETED";
