// Admin mode's machine goes when its change is published or discarded. Published, no caller is at hand
// (the capture's upload ends it), so this is the delete action without the instances policy: the profile
// named the machine, and only admin mode deletes it this way.
import { and, eq, inArray, sql } from "drizzle-orm";
import { ACTION_FROM, ACTION_PLAN } from "@/common/instance-states";
import { msg } from "@/common/message";
import { instances } from "@/db/schema";
import type { DomainContext } from "../context";
import { recordInstanceEvent } from "../instances/record-event";

export async function removeAdminInstance(
  ctx: Pick<DomainContext, "db" | "jobs">,
  instanceId: string,
  byUsername: string,
): Promise<void> {
  const [inst] = await ctx.db.select().from(instances).where(eq(instances.id, instanceId));
  if (!inst || inst.state === "DELETED" || inst.state === "DELETING") return;
  if (!inst.hostId) {
    await ctx.db
      .update(instances)
      .set({ state: "DELETED", task: null, deletedAt: new Date(), updatedAt: new Date() })
      .where(eq(instances.id, instanceId));
    return;
  }
  const plan = ACTION_PLAN.delete;
  const [res] = await ctx.db
    .update(instances)
    .set({
      state: plan.to,
      task: plan.task,
      progress: null,
      opSeq: sql`${instances.opSeq} + 1`,
      updatedAt: new Date(),
    })
    .where(and(eq(instances.id, instanceId), inArray(instances.state, [...ACTION_FROM.delete])));
  if (res.affectedRows === 0) return;
  const [after] = await ctx.db
    .select({ opSeq: instances.opSeq })
    .from(instances)
    .where(eq(instances.id, instanceId));
  await recordInstanceEvent(ctx.db, {
    instanceId,
    kind: "action",
    message: msg("events.actionRequested", { action: "delete", user: byUsername }),
    fromState: inst.state,
    toState: plan.to,
  });
  // A queue outage leaves it DELETING until the stuck-instance reaper gives up on it; its owner then
  // deletes it again (the profile is free either way).
  await ctx.jobs
    .enqueue(inst.hostId, "instance.delete", { instanceId }, `delete-${instanceId}-${after!.opSeq}`)
    .catch(() => undefined);
}
