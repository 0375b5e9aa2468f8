import { msg } from "@/common/message";
import { eq, inArray, or } from "drizzle-orm";
import { memberships, tasks } from "@/db/schema";
import type { AccessPolicy } from "./policy";

/** Own tasks for everyone; a powerAdm also those of the members of groups they administer; superAdm all. */
export const tasksPolicy: AccessPolicy<{ createdBy: number | null; creatorGroupIds: readonly number[] }> = {
  mayActOn: (actor, task) =>
    actor.role === "superAdm" ||
    task.createdBy === actor.id ||
    (actor.role === "powerAdm" && task.creatorGroupIds.some((g) => actor.adminGroupIds.includes(g))),
  refusal: msg("auth.notYourTask"),
  rowsFor: (actor, db) => {
    if (actor.role === "superAdm") return undefined;
    if (actor.role === "powerAdm" && actor.adminGroupIds.length) {
      const members = db
        .select({ id: memberships.userId })
        .from(memberships)
        .where(inArray(memberships.groupId, actor.adminGroupIds));
      return or(eq(tasks.createdBy, actor.id), inArray(tasks.createdBy, members));
    }
    return eq(tasks.createdBy, actor.id);
  },
};
