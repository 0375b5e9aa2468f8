import { and, eq, ne } from "drizzle-orm";
import type { z } from "zod";
import type {
  AgentEvent,
  heartbeatEvent,
  instanceProgressEvent,
  instanceStateEvent,
} from "@/agents/protocol";
import { hosts, instances, type InstanceRow, type InstanceState } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { JobPort } from "../context";
import { applyTaskProgress } from "../captures/capture-instance";
import { applyImageCacheEvent } from "../images/sync-images";
import { applyNetworkState } from "../networks/apply-network-event";
import { releaseInstanceAddresses } from "../networks/ipam";
import { networksOnHost, pushNetworks } from "../networks/network-specs";
import { applySnapshotEvent } from "../snapshots/apply-snapshot-event";
import { applyVolumeEvent, releaseInstanceStorage } from "../volumes/apply-volume-event";
import { recordInstanceEvent } from "./record-event";
import { msg, type Message } from "@/common/message";
import { agentMessage } from "../agent-message";
import { renderEnglish } from "../render-english";

type Reported = z.output<typeof instanceStateEvent>["state"];

/**
 * Which reports are believed in which state. A late report from an older job (e.g. RUNNING arriving after
 * a delete was requested) must not resurrect the instance.
 */
const ACCEPTS: Record<InstanceState, Reported[]> = {
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

export async function applyInstanceState(
  db: Database,
  ev: z.output<typeof instanceStateEvent>,
): Promise<void> {
  const [inst] = await db.select().from(instances).where(eq(instances.id, ev.instanceId));
  if (!inst || inst.hostId !== ev.hostId || !ACCEPTS[inst.state].includes(ev.state)) return;
  const to: InstanceState = ev.state;
  const building = to === "BUILDING";
  await db
    .update(instances)
    .set({
      state: to,
      task: building ? inst.task : null,
      progress: building ? inst.progress : null,
      errorReason: to === "ERROR" ? (ev.reason ?? "The host reported an error without a reason.") : null,
      accel: ev.accel ?? inst.accel,
      deletedAt: to === "DELETED" ? new Date() : null,
      viewers: to === "RUNNING" ? inst.viewers : 0,
      updatedAt: new Date(),
    })
    .where(eq(instances.id, inst.id));
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
 * Records the heartbeat and converges what the portal believes with what the host reports:
 * VMs found stopped or running are recorded as such; VMs of deleted or unknown instances are removed;
 * after an agent restart, instances whose VM is gone from the host are put in ERROR with the reason.
 */
export async function applyHeartbeat(
  db: Database,
  jobs: JobPort,
  ev: z.output<typeof heartbeatEvent>,
): Promise<void> {
  const patch: Partial<typeof hosts.$inferInsert> = {
    lastHeartbeatAt: ev.at > new Date() ? new Date() : ev.at,
  };
  if (ev.facts) {
    Object.assign(patch, {
      facts: ev.facts,
      cpuCount: ev.facts.cpuCount,
      memoryMiB: ev.facts.memoryMiB,
      diskFreeBytes: ev.facts.diskFreeBytes,
      kvmUsable: ev.facts.kvmUsable,
    });
  }
  const [res] = await db.update(hosts).set(patch).where(eq(hosts.id, ev.hostId));
  if (res.affectedRows === 0) return; // a removed host's agent: ignore it

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
    await db
      .update(instances)
      .set({
        state: to,
        task: null,
        progress: null,
        errorReason: kind === "error" ? renderEnglish(message) : null,
        updatedAt: new Date(),
      })
      .where(and(eq(instances.id, i.id), eq(instances.state, i.state)));
    await recordInstanceEvent(db, { instanceId: i.id, kind, message, fromState: i.state, toState: to });
  };

  for (const vm of ev.vms) {
    const inst = known.get(vm.instanceId);
    if (inst && vm.viewers !== undefined && vm.viewers !== inst.viewers) {
      await db.update(instances).set({ viewers: vm.viewers }).where(eq(instances.id, inst.id));
    }
    if (!inst) {
      await jobs.enqueue(
        ev.hostId,
        "instance.delete",
        { instanceId: vm.instanceId },
        `cleanup-${vm.instanceId}-${ev.hostId}`,
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

/** A deleted instance's addresses go back to the pool; its host drops their leases and forwards. */
async function releaseDeletedInstanceNetworking(
  deps: { db: Database; jobs: JobPort },
  instanceId: string,
  hostId: string,
): Promise<void> {
  const [inst] = await deps.db
    .select({ state: instances.state })
    .from(instances)
    .where(eq(instances.id, instanceId));
  if (inst?.state !== "DELETED") return;
  const changed = await releaseInstanceAddresses(deps.db, [instanceId]);
  await pushNetworks(deps, hostId, changed);
}

export async function applyAgentEvent(deps: { db: Database; jobs: JobPort }, ev: AgentEvent): Promise<void> {
  switch (ev.type) {
    case "host.heartbeat": {
      await applyHeartbeat(deps.db, deps.jobs, ev);
      // A restarted agent (or rebooted host) rebuilds bridges, DHCP and rules from the portal's state.
      if (ev.startup)
        await pushNetworks(deps, ev.hostId, await networksOnHost(deps.db, ev.hostId), "startup");
      return;
    }
    case "instance.state":
      await applyInstanceState(deps.db, ev);
      if (ev.state === "DELETED") {
        await releaseDeletedInstanceNetworking(deps, ev.instanceId, ev.hostId);
        await releaseInstanceStorage(deps.db, ev.instanceId);
      }
      return;
    case "instance.progress":
      return applyInstanceProgress(deps.db, ev);
    case "network.state":
      return applyNetworkState(deps.db, ev);
    case "image.cache":
      return applyImageCacheEvent(deps.db, ev);
    case "snapshot.state":
      return applySnapshotEvent(deps.db, ev);
    case "volume.state":
      return applyVolumeEvent(deps.db, ev);
    case "task.progress":
      return applyTaskProgress(deps.db, ev);
  }
}
