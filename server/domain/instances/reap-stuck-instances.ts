// Nothing stays "in motion" for ever. An instance waits in a transitional state (or with a task) for its
// host's answer; when the answer cannot come — the host's job ended without reporting (a stalled job
// BullMQ gave up on), the report was lost, the host died — the portal says so after a deadline instead
// of showing "creating…" for ever. ERROR is not a dead end: a late report from the host is still
// believed (ACCEPTS.ERROR), and the user may delete the instance (again).
import { and, eq, inArray, isNotNull, lte, ne, or } from "drizzle-orm";
import { TRANSITIONAL_STATES } from "@/common/instance-states";
import { instances } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { msg, type Message } from "@/common/message";
import { renderEnglish } from "../render-english";
import { recordInstanceEvent } from "./record-event";

/** Looks at a host's job: its failure reason when BullMQ has given up on it for good, else null. */
export interface HostJobInspector {
  finalFailure(hostId: string, jobId: string): Promise<string | null>;
}

export interface InstanceDeadlines {
  /** Creating (download and build) and other long work (revert): seconds without any news. */
  createSeconds: number;
  /** Start, stop, reboot, delete. */
  actionSeconds: number;
}

// A resize changes a qcow2 header and a small file: as quick as a start.
const SHORT_TASKS = new Set(["stopping", "starting", "rebooting", "deleting", "resizing"]);
const ACTION_OF: Record<string, string> = {
  stopping: "stop",
  starting: "start",
  rebooting: "reboot",
  deleting: "delete",
  resizing: "resize",
};

/** The job that carries an instance's current task (ids as create-instances / act-on-instance make them). */
function jobFor(i: { id: string; task: string | null; opSeq: number }): { job: string; id: string } | null {
  if (i.task === "creating") return { job: "create", id: `create-${i.id}-1` };
  const action = i.task ? ACTION_OF[i.task] : undefined;
  return action ? { job: action, id: `${action}-${i.id}-${i.opSeq}` } : null;
}

/**
 * Puts every instance whose host will not answer in ERROR with the reason: its job failed for good, or
 * nothing was heard for longer than the task's deadline (measured from the last change or progress
 * report). Each write is conditional on the row being as it was read, so a report that arrives meanwhile
 * wins. Returns how many were put in ERROR.
 */
export async function reapStuckInstances(
  db: Database,
  deadlines: InstanceDeadlines,
  inspector?: HostJobInspector,
  now = new Date(),
): Promise<number> {
  const rows = await db
    .select({
      id: instances.id,
      hostId: instances.hostId,
      state: instances.state,
      task: instances.task,
      opSeq: instances.opSeq,
      updatedAt: instances.updatedAt,
    })
    .from(instances)
    .where(
      and(
        ne(instances.state, "DELETED"),
        or(isNotNull(instances.task), inArray(instances.state, [...TRANSITIONAL_STATES])),
      ),
    );
  let reaped = 0;
  for (const i of rows) {
    const seconds = (i.task ? SHORT_TASKS.has(i.task) : i.state === "STOPPING" || i.state === "DELETING")
      ? deadlines.actionSeconds
      : deadlines.createSeconds;
    const cutoff = new Date(now.getTime() - seconds * 1000);
    const task = i.task ?? i.state.toLowerCase();
    let reason: Message | null = null;
    let guard = lte(instances.updatedAt, cutoff);

    const job = jobFor(i);
    if (job && i.hostId && inspector) {
      const failure = await inspector.finalFailure(i.hostId, job.id).catch(() => null);
      if (failure) {
        reason = msg("events.hostJobEnded", { job: job.job, reason: failure.slice(0, 500) });
        guard = eq(instances.opSeq, i.opSeq); // the same action still under way, whatever came since
      }
    }
    if (!reason && i.updatedAt <= cutoff)
      reason = msg("events.hostDidNotConfirm", { task, minutes: Math.max(1, Math.round(seconds / 60)) });
    if (!reason) continue;

    const text = renderEnglish(reason);
    const done = await db.transaction(async (tx) => {
      const [res] = await tx
        .update(instances)
        .set({ state: "ERROR", task: null, progress: null, errorReason: text, updatedAt: new Date() })
        .where(and(eq(instances.id, i.id), eq(instances.state, i.state), guard));
      if (res.affectedRows === 0) return false;
      await recordInstanceEvent(tx, {
        instanceId: i.id,
        kind: "error",
        message: reason,
        fromState: i.state,
        toState: "ERROR",
      });
      return true;
    });
    if (done) reaped++;
  }
  return reaped;
}
