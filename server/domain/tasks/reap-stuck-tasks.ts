// Work handed to a host (image sync, the host's part of a capture) is a task row the host reports on.
// When the host cannot finish it — it is down or disabled, its job failed for good without a report
// (a stalled job BullMQ gave up on), or it went silent — the task is failed with the reason, so the
// Tasks page does not show it queued or running for ever. A late report does not reopen it (updateTask).
import { and, eq, inArray, isNotNull, isNull, or } from "drizzle-orm";
import { hosts, tasks } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { msg, type Message } from "@/common/message";
import { isHostUp } from "../hosts/find-hosts";
import type { HostJobInspector } from "../instances/reap-stuck-instances";
import { updateTask } from "./manage-tasks";

/** The host job that carries a task (ids as sync-images / capture-instance make them). */
const JOB_OF: Record<string, (taskId: string) => string> = {
  "image.sync": (id) => `sync-${id}`,
  "instance.capture": (id) => `capture-${id}`,
};

export async function reapStuckTasks(
  db: Database,
  opts: { silentSeconds: number; hostDownAfterSeconds: number },
  inspector?: HostJobInspector,
  now = new Date(),
): Promise<number> {
  const rows = await db
    .select({
      id: tasks.id,
      kind: tasks.kind,
      hostId: tasks.hostId,
      createdAt: tasks.createdAt,
      updatedAt: tasks.updatedAt,
      hostName: hosts.name,
      enabled: hosts.enabled,
      beat: hosts.lastHeartbeatAt,
    })
    .from(tasks)
    .innerJoin(hosts, eq(hosts.id, tasks.hostId))
    .where(
      and(
        inArray(tasks.state, ["queued", "running"]),
        isNotNull(tasks.hostId),
        // A capture whose disk the portal has claimed is the portal's work now (failInterruptedImports).
        or(eq(tasks.kind, "image.sync"), and(eq(tasks.kind, "instance.capture"), isNull(tasks.targetId))),
      ),
    );
  const grace = new Date(now.getTime() - opts.hostDownAfterSeconds * 1000);
  const silentSince = new Date(now.getTime() - opts.silentSeconds * 1000);
  let failed = 0;
  for (const t of rows) {
    let reason: Message | null = null;
    const jobId = JOB_OF[t.kind]?.(t.id);
    if (jobId && inspector) {
      const failure = await inspector.finalFailure(t.hostId!, jobId).catch(() => null);
      if (failure) reason = msg("tasks.hostJobEnded", { reason: failure.slice(0, 500) });
    }
    // A task just handed over gets one heartbeat period before its host's state counts against it.
    if (!reason && t.createdAt <= grace && (!t.enabled || !isHostUp(t.beat, now, opts.hostDownAfterSeconds)))
      reason = msg("tasks.hostDown", { host: t.hostName });
    if (!reason && t.updatedAt <= silentSince)
      reason = msg("tasks.hostSilent", { minutes: Math.max(1, Math.round(opts.silentSeconds / 60)) });
    if (reason && (await updateTask(db, t.id, { state: "failed", error: reason, message: null }))) failed++;
  }
  return failed;
}
