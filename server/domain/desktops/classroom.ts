// The classroom view's data (E6): every desktop of a lab's pools with its state, student, viewers and
// profile version. The page (thumbnails, console, reset, message) is built on it.
import { and, eq, notInArray } from "drizzle-orm";
import { instances, pools, profiles, users } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { assertMayActOn } from "../policies/authorize";
import { loadLab } from "../pools/load-pool";

export async function readClassroom(ctx: DomainContext, labId: number) {
  const actor = requireActor(ctx);
  const lab = await loadLab(ctx.db, labId);
  assertMayActOn(actor, "desktops", { labAdmin: { groupId: lab.groupId } });
  const desktops = await ctx.db
    .select({
      instanceId: instances.id,
      name: instances.name,
      state: instances.state,
      task: instances.task,
      hostId: instances.hostId,
      viewers: instances.viewers,
      poolId: instances.poolId,
      profileName: profiles.name,
      profileVersion: instances.profileVersion,
      currentVersion: profiles.currentVersion,
      assignedTo: instances.assignedTo,
      studentUsername: users.username,
      studentName: users.displayName,
      assignedAt: instances.assignedAt,
    })
    .from(instances)
    .innerJoin(pools, eq(pools.id, instances.poolId))
    .innerJoin(profiles, eq(profiles.id, pools.profileId))
    .leftJoin(users, eq(users.id, instances.assignedTo))
    .where(
      and(
        eq(pools.labId, lab.id),
        eq(instances.kind, "desktop"),
        notInArray(instances.state, ["DELETED", "DELETING"]),
      ),
    )
    .orderBy(instances.name);
  return { lab: { id: lab.id, name: lab.name, seats: lab.seats, groupId: lab.groupId }, desktops };
}
