import { msg } from "@/common/message";
import { inArray } from "drizzle-orm";
import { memberships, users } from "@/db/schema";
import { administersGroup, reachesAllGroups } from "./owned";
import type { AccessPolicy } from "./policy";

/** A powerAdm reaches the members of the groups they administer (and themselves); superAdm everyone. */
export const usersPolicy: AccessPolicy<{ id: number; groupIds: readonly number[] }> = {
  // superAdm first: an account in no group is still theirs to reach (some() of no groups is false).
  mayActOn: (actor, user) =>
    reachesAllGroups(actor) || user.id === actor.id || user.groupIds.some((g) => administersGroup(actor, g)),
  refusal: msg("auth.notAdminOfGroupOf", { what: "user" }),
  rowsFor: (actor, db) => {
    if (reachesAllGroups(actor)) return undefined;
    if (actor.adminGroupIds.length === 0) return null;
    const members = db
      .select({ id: memberships.userId })
      .from(memberships)
      .where(inArray(memberships.groupId, actor.adminGroupIds));
    return inArray(users.id, members);
  },
};
