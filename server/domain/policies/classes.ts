import { inArray } from "drizzle-orm";
import { msg } from "@/common/message";
import { groups } from "@/db/schema";
import { administersGroup, reachesAllGroups } from "./owned";
import type { AccessPolicy } from "./policy";

/** A class as its teachers run it: the group's admins (powerAdm flagged admin of it), superAdm all. */
export const classesPolicy: AccessPolicy<{ id: number }> = {
  mayActOn: (actor, group) => administersGroup(actor, group.id),
  refusal: msg("auth.notAdminOfGroupOf", { what: "group" }),
  rowsFor: (actor) => {
    if (reachesAllGroups(actor)) return undefined;
    if (actor.role !== "powerAdm" || actor.adminGroupIds.length === 0) return null;
    return inArray(groups.id, actor.adminGroupIds);
  },
};

/**
 * Quotas of a group, or of a user (named by the groups they are in): an admin of one of those groups,
 * superAdm any. Whether the value stays within the group's own limits is the domain's check.
 */
export const quotasPolicy: AccessPolicy<{ groupIds: readonly number[] }> = {
  mayActOn: (actor, o) => reachesAllGroups(actor) || o.groupIds.some((g) => administersGroup(actor, g)),
  refusal: msg("auth.notAdminOfGroupOf", { what: "group" }),
};
