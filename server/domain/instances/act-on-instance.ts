import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { ACTION_FROM, ACTION_PLAN, type InstanceAction } from "@/common/instance-states";
import { instances, profiles } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError } from "../errors";
import { getInstance, loadInstanceForActor, type InstanceView } from "./find-instances";
import { recordInstanceEvent } from "./record-event";
import { msg } from "@/common/message";

/**
 * Accepts an action only from the states it makes sense in, with one conditional UPDATE: of two
 * concurrent requests exactly one wins, the other gets a clear CONFLICT. The bumped op_seq goes into
 * the job id, so re-sending the same job cannot run the action twice.
 */
export async function requestInstanceAction(
  ctx: DomainContext,
  id: string,
  action: InstanceAction,
): Promise<InstanceView> {
  const actor = requireActor(ctx);
  const current = await loadInstanceForActor(ctx, id);
  const plan = ACTION_PLAN[action];
  const from = [...ACTION_FROM[action]];

  // Never placed on a host: nothing to tear down.
  if (action === "delete" && !current.hostId) {
    await ctx.db
      .update(instances)
      .set({ state: "DELETED", task: null, deletedAt: new Date(), updatedAt: new Date() })
      .where(eq(instances.id, id));
    await recordInstanceEvent(ctx.db, {
      instanceId: id,
      kind: "state",
      message: msg("events.deletedBy", { user: actor.username }),
      fromState: current.state,
      toState: "DELETED",
      actorId: actor.id,
    });
    return getInstance(ctx, id);
  }

  // Starting a profile's desktop is decided under the profile's row lock, as placement does
  // (provisioning/profile-lock.ts, not imported: areas without cycles): none starts in admin mode.
  const lockedProfileId = action === "start" && current.kind === "desktop" ? current.profileId : null;
  const [res] = await ctx.db.transaction(async (tx) => {
    if (lockedProfileId) {
      const [p] = await tx.select().from(profiles).where(eq(profiles.id, lockedProfileId)).for("update");
      if (p?.adminInstanceId)
        throw new DomainError("CONFLICT", msg("profiles.inAdminMode", { profile: p.name }));
    }
    return tx
      .update(instances)
      .set({
        state: plan.to,
        task: plan.task,
        progress: null,
        opSeq: sql`${instances.opSeq} + 1`,
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(instances.id, id),
          inArray(instances.state, from),
          action === "delete" ? undefined : isNull(instances.task),
        ),
      );
  });
  if (res.affectedRows === 0) {
    const now = await loadInstanceForActor(ctx, id);
    throw new DomainError(
      "CONFLICT",
      msg("instances.cannotActNow", { state: now.state, task: now.task ?? "none", action }),
    );
  }
  const [after] = await ctx.db
    .select({ opSeq: instances.opSeq, state: instances.state })
    .from(instances)
    .where(eq(instances.id, id));
  await recordInstanceEvent(ctx.db, {
    instanceId: id,
    kind: "action",
    message: msg("events.actionRequested", { action, user: actor.username }),
    fromState: current.state,
    toState: after!.state,
    actorId: actor.id,
  });
  try {
    await ctx.jobs.enqueue(
      current.hostId!,
      `instance.${action}`,
      { instanceId: id },
      `${action}-${id}-${after!.opSeq}`,
    );
  } catch {
    await ctx.db
      .update(instances)
      .set({ state: current.state, task: current.task, updatedAt: new Date() })
      .where(eq(instances.id, id));
    await recordInstanceEvent(ctx.db, {
      instanceId: id,
      kind: "error",
      message: msg("events.agentUnreachable"),
    });
    throw new DomainError("UNAVAILABLE", msg("unavailable.agentQueueNothingChanged"));
  }
  return getInstance(ctx, id);
}
