import { msg } from "@/common/message";
import { groups } from "@/db/schema";
import { inArray } from "drizzle-orm";
import { reachesAllGroups, sharesGroup } from "./owned";
import type { AccessPolicy } from "./policy";

/** The groups one belongs to; superAdm all. */
export const groupsPolicy: AccessPolicy<{ id: number }> = {
  mayActOn: (actor, group) => sharesGroup(actor, [group.id]),
  refusal: msg("auth.notAdminOfGroupOf", { what: "group" }),
  rowsFor: (actor) => {
    if (reachesAllGroups(actor)) return undefined;
    if (actor.groupIds.length === 0) return null;
    return inArray(groups.id, actor.groupIds);
  },
};
