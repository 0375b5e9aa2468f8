// "Create image from instance". A task (tasks table) follows the whole way: the host's agent copies
// the disk (overlay + base) into one qcow2 and reports progress (task.progress events), uploads it to
// the portal (receive-capture.ts), and the portal imports it like any upload — same checks, sha256 —
// as a private image of the instance's owner.
import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import type { taskProgressEvent } from "@/agents/protocol";
import { isSettled } from "@/common/instance-states";
import { instanceCaptures, tasks } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext } from "../context";
import { DomainError, messageOf } from "../errors";
import type { EventRegistration } from "../events/dispatcher";
import { loadInstanceForActor } from "../instances/find-instances";
import { recordInstanceEvent } from "../instances/record-event";
import { createTask, updateTask } from "../tasks/manage-tasks";
import { msg } from "@/common/message";
import { agentMessage } from "../agent-message";
import { precheckQuota } from "../quotas/reserve-quota";

export async function captureInstance(
  ctx: DomainContext,
  input: { instanceId: string; name: string },
  /** Runs once the task exists, before the agent is asked (admin mode records its publication here). */
  beforeQueue?: (taskId: string) => Promise<void>,
): Promise<{ taskId: string }> {
  const actor = requireActor(ctx);
  const inst = await loadInstanceForActor(ctx, input.instanceId);
  if (!inst.hostId || !isSettled(inst)) {
    throw new DomainError(
      "CONFLICT",
      msg("instances.captureNotNow", { state: inst.state, task: inst.task ?? "none" }),
    );
  }
  // The copy can take long: refuse now when the owner or group has no image left. The import checks
  // again, atomically, with the stored size (receive-capture.ts → importImage).
  await precheckQuota(ctx.db, {
    owners: [{ ownerId: inst.ownerId, add: { images: 1 } }],
    groupId: inst.groupId,
    requestedBy: actor.id,
  });
  const taskId = await createTask(ctx.db, {
    kind: "instance.capture",
    targetType: "image",
    targetId: null,
    targetName: input.name,
    hostId: inst.hostId,
    createdBy: actor.id,
    message: msg("tasks.queuedForAgent"),
  });
  await ctx.db.insert(instanceCaptures).values({
    taskId,
    instanceId: inst.id,
    hostId: inst.hostId,
    imageName: input.name,
    ownerId: inst.ownerId,
    groupId: inst.groupId,
  });
  try {
    await beforeQueue?.(taskId);
  } catch (err) {
    // The caller's own check refused under its lock: the task ends here, nothing reached the host.
    await updateTask(ctx.db, taskId, {
      state: "failed",
      error: err instanceof DomainError ? messageOf(err) : msg("tasks.captureServerProblem"),
    });
    throw err;
  }
  try {
    await ctx.jobs.enqueue(
      inst.hostId,
      "instance.capture",
      { instanceId: inst.id, taskId },
      `capture-${taskId}`,
    );
  } catch {
    await updateTask(ctx.db, taskId, {
      state: "failed",
      error: msg("tasks.agentUnreachable"),
    });
    throw new DomainError("UNAVAILABLE", msg("unavailable.agentQueue"));
  }
  await recordInstanceEvent(ctx.db, {
    instanceId: inst.id,
    kind: "action",
    message: msg("events.captureRequested", { name: input.name, user: actor.username }),
    actorId: actor.id,
  });
  return { taskId };
}

/** The agent's progress and failures of a capture, recorded in its task (only from the task's host). */
export async function applyTaskProgress(db: Database, ev: z.output<typeof taskProgressEvent>): Promise<void> {
  const [task] = await db
    .select({ hostId: tasks.hostId, state: tasks.state, targetId: tasks.targetId })
    .from(tasks)
    .where(and(eq(tasks.id, ev.taskId)));
  if (!task || task.hostId !== ev.hostId) return;
  if (ev.state === "failed") {
    // Once an upload has claimed the task (receive-capture.ts) the portal decides how it ends; a failure
    // reported then comes from a second, refused upload or a lost reply, not from the disk being stored.
    if (task.targetId) return;
    await updateTask(db, ev.taskId, {
      state: "failed",
      error: agentMessage(undefined, ev.reason, msg("tasks.hostCouldNotCapture")),
      message: null,
    });
    const [cap] = await db
      .select({ instanceId: instanceCaptures.instanceId, name: instanceCaptures.imageName })
      .from(instanceCaptures)
      .where(eq(instanceCaptures.taskId, ev.taskId));
    if (cap && task.state !== "failed")
      await recordInstanceEvent(db, {
        instanceId: cap.instanceId,
        kind: "error",
        message: msg("events.captureFailed", { name: cap.name, reason: ev.reason ?? "—" }),
      });
    return;
  }
  // "running" once: updateTask stamps startedAt whenever it is given that state.
  await updateTask(db, ev.taskId, {
    ...(task.state === "queued" ? { state: "running" as const } : {}),
    percent: ev.percent,
    ...(ev.message ? { message: msg("tasks.agentReason", { reason: ev.message }) } : {}),
    ...(ev.bytesDone !== undefined ? { bytesDone: ev.bytesDone } : {}),
    ...(ev.bytesTotal !== undefined ? { bytesTotal: ev.bytesTotal } : {}),
  });
}

export const registerCaptureEvents: EventRegistration = (r) => {
  r.on("task.progress", (ctx, ev) => applyTaskProgress(ctx.db, ev));
};
