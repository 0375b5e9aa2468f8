// "My desktops": the caller's assigned desktops, and the labs they may open with how many are ready.
import { and, eq, inArray, isNull, notInArray, or, sql } from "drizzle-orm";
import { instances, labs, pools, profiles } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { notASeat } from "./seats";

export async function myDesktops(ctx: DomainContext) {
  const actor = requireActor(ctx);
  const desktops = await ctx.db
    .select({
      instanceId: instances.id,
      name: instances.name,
      state: instances.state,
      task: instances.task,
      labId: labs.id,
      labName: labs.name,
      profileId: profiles.id,
      profileName: profiles.name,
      profileVersion: instances.profileVersion,
      assignedAt: instances.assignedAt,
    })
    .from(instances)
    .innerJoin(pools, eq(pools.id, instances.poolId))
    .innerJoin(labs, eq(labs.id, pools.labId))
    .innerJoin(profiles, eq(profiles.id, pools.profileId))
    .where(
      and(
        eq(instances.assignedTo, actor.id),
        eq(instances.kind, "desktop"),
        notInArray(instances.state, ["DELETED", "DELETING"]),
      ),
    );
  // Labs the caller may open: public ones and those of their groups (superAdm: every lab).
  const labRows = await ctx.db
    .select({ id: labs.id, name: labs.name, description: labs.description, groupId: labs.groupId })
    .from(labs)
    .where(
      actor.role === "superAdm"
        ? undefined
        : or(isNull(labs.groupId), actor.groupIds.length ? inArray(labs.groupId, actor.groupIds) : undefined),
    );
  const ids = labRows.map((l) => l.id);
  const spare = ids.length
    ? await ctx.db
        .select({ labId: pools.labId, n: sql<string>`count(${instances.id})` })
        .from(pools)
        .leftJoin(
          instances,
          and(
            eq(instances.poolId, pools.id),
            isNull(instances.assignedTo),
            eq(instances.state, "RUNNING"),
            isNull(instances.task),
            notASeat(ctx.db),
          ),
        )
        .where(and(inArray(pools.labId, ids), eq(pools.state, "running")))
        .groupBy(pools.labId)
    : [];
  const labsOpen = labRows
    .filter((l) => spare.some((s) => s.labId === l.id))
    .map((l) => ({ ...l, spare: Number(spare.find((s) => s.labId === l.id)!.n) }));
  return { desktops, labs: labsOpen };
}
