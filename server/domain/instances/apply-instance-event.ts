// What the hosts report about instances: state changes (announced to the instance-state hook's
// subscribers once written), build progress, and the heartbeat's list of VMs to reconcile against.
import { and, eq, ne } from "drizzle-orm";
import type { z } from "zod";
import type { heartbeatEvent, instanceProgressEvent, instanceStateEvent } from "@/agents/protocol";
import { acceptsReport } from "@/common/instance-states";
import { hosts, instances, type InstanceRow, type InstanceState } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { EventContext, EventRegistration, InstanceStateChange } from "../events/dispatcher";
import { applyInstanceResized } from "./apply-resize-event";
import { recordInstanceEvent } from "./record-event";
import { msg, type Message } from "@/common/message";
import { agentMessage } from "../agent-message";
import { renderEnglish } from "../render-english";

/** Records a believable state report; returns the change it made, or null when it was ignored. */
export async function applyInstanceState(
  db: Database,
  ev: z.output<typeof instanceStateEvent>,
): Promise<InstanceStateChange | null> {
  const [inst] = await db.select().from(instances).where(eq(instances.id, ev.instanceId));
  if (!inst || inst.hostId !== ev.hostId || !acceptsReport(inst.state, ev.state)) return null;
  const to: InstanceState = ev.state;
  const building = to === "BUILDING";
  const patch = {
    state: to,
    task: building ? inst.task : null,
    progress: building ? inst.progress : null,
    errorReason: to === "ERROR" ? (ev.reason ?? "The host reported an error without a reason.") : null,
    accel: ev.accel ?? inst.accel,
    deletedAt: to === "DELETED" ? new Date() : null,
    viewers: to === "RUNNING" ? inst.viewers : 0,
    updatedAt: new Date(),
  };
  await db.update(instances).set(patch).where(eq(instances.id, inst.id));
  if (inst.state !== to || to === "ERROR" || ev.reason) {
    await recordInstanceEvent(db, {
      instanceId: inst.id,
      kind: to === "ERROR" ? "error" : "state",
      message: ev.reason
        ? agentMessage(ev.reasonMessage, ev.reason, msg("events.agentReason", { reason: ev.reason }))
        : msg("events.nowState", { state: to, accel: ev.accel ?? "none" }),
      fromState: inst.state,
      toState: to,
    });
  }
  return inst.state === to ? null : { instance: { ...inst, ...patch }, from: inst.state, to };
}

export async function applyInstanceProgress(
  db: Database,
  ev: z.output<typeof instanceProgressEvent>,
): Promise<void> {
  const [inst] = await db
    .select({ hostId: instances.hostId, task: instances.task })
    .from(instances)
    .where(eq(instances.id, ev.instanceId));
  if (!inst || inst.hostId !== ev.hostId || !inst.task) return;
  // The progress bar only: the timeline keeps state changes, not every tick (one write, not two, per
  // report — what a burst of creates needs from a busy database).
  await db
    .update(instances)
    .set({ progress: Math.round(ev.percent), updatedAt: new Date() })
    .where(eq(instances.id, ev.instanceId));
}

/**
 * Converges what the portal believes with what the host reports (the host row itself is recorded by the
 * hosts area first): VMs found stopped or running are recorded as such; VMs of deleted or unknown
 * instances are removed; after an agent restart, instances whose VM is gone from the host are put in
 * ERROR with the reason.
 */
export async function reconcileHeartbeat(
  ctx: EventContext,
  ev: z.output<typeof heartbeatEvent>,
): Promise<void> {
  const { db, jobs } = ctx;
  const [host] = await db.select({ id: hosts.id }).from(hosts).where(eq(hosts.id, ev.hostId));
  if (!host) return; // a removed host's agent: ignore it

  const known = new Map<string, InstanceRow>(
    (
      await db
        .select()
        .from(instances)
        .where(and(eq(instances.hostId, ev.hostId), ne(instances.state, "DELETED")))
    ).map((i) => [i.id, i]),
  );
  const mark = async (
    i: InstanceRow,
    to: InstanceState,
    message: Message,
    kind: "state" | "error" = "state",
  ) => {
    const patch = {
      state: to,
      task: null,
      progress: null,
      errorReason: kind === "error" ? renderEnglish(message) : null,
      updatedAt: new Date(),
    };
    // The state and its timeline entry together: whoever sees the new state sees why, and a change that
    // lost the race (the state moved meanwhile) leaves no entry.
    const changed = await db.transaction(async (tx) => {
      const [res] = await tx
        .update(instances)
        .set(patch)
        .where(and(eq(instances.id, i.id), eq(instances.state, i.state)));
      if (res.affectedRows === 0) return false;
      await recordInstanceEvent(tx, { instanceId: i.id, kind, message, fromState: i.state, toState: to });
      return true;
    });
    if (changed) await ctx.instanceReached({ instance: { ...i, ...patch }, from: i.state, to });
  };

  for (const vm of ev.vms) {
    const inst = known.get(vm.instanceId);
    if (inst && vm.viewers !== undefined && vm.viewers !== inst.viewers) {
      await db.update(instances).set({ viewers: vm.viewers }).where(eq(instances.id, inst.id));
    }
    if (!inst) {
      // One clean-up per heartbeat that still sees the VM: a fixed id would be swallowed by the kept
      // record of an earlier clean-up of the same id (a leftover that came back), and never run again.
      await jobs.enqueue(
        ev.hostId,
        "instance.delete",
        { instanceId: vm.instanceId },
        `cleanup-${vm.instanceId}-${ev.hostId}-${ev.at.getTime()}`,
      );
      continue;
    }
    if (inst.task) continue; // an action is under way; its own report will settle the state
    // Taken before the instance's last change (a RUNNING report that overtook it): stale, not news.
    if (ev.at < inst.updatedAt) continue;
    if (inst.state === "RUNNING" && vm.state === "stopped")
      await mark(inst, "STOPPED", msg("events.foundStopped"));
    else if (inst.state === "STOPPED" && vm.state === "running")
      await mark(inst, "RUNNING", msg("events.foundRunning"));
  }
  if (ev.startup) {
    const reported = new Set(ev.vms.map((v) => v.instanceId));
    for (const inst of known.values()) {
      if (
        !reported.has(inst.id) &&
        (inst.state === "RUNNING" || inst.state === "STOPPED") &&
        !inst.task &&
        ev.at >= inst.updatedAt
      ) {
        await mark(inst, "ERROR", msg("events.filesGone"), "error");
      }
    }
  }
}

export const registerInstanceEvents: EventRegistration = (r) => {
  r.on("instance.state", async (ctx, ev) => {
    const change = await applyInstanceState(ctx.db, ev);
    if (change) return ctx.instanceReached(change);
    // The same DELETED again (the controller retrying an event whose state was written before the
    // database went away, or the agent re-sending it): the clean-ups (addresses, volumes) run again —
    // they are idempotent, and otherwise an outage between the two would hold them for ever.
    if (ev.state !== "DELETED") return;
    const [inst] = await ctx.db.select().from(instances).where(eq(instances.id, ev.instanceId));
    if (inst?.state === "DELETED" && inst.hostId === ev.hostId)
      await ctx.instanceReached({ instance: inst, from: "DELETED", to: "DELETED" });
  });
  r.on("instance.progress", (ctx, ev) => applyInstanceProgress(ctx.db, ev));
  r.on("instance.resized", (ctx, ev) => applyInstanceResized(ctx.db, ev));
  r.on("host.heartbeat", reconcileHeartbeat);
};
