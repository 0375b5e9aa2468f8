import { msg } from "@/common/message";
import type { Actor } from "../context";
import { isAssigneeOf } from "./instances";
import { administersGroup, reachesAllGroups } from "./owned";
import type { AccessPolicy } from "./policy";

/** A lab's pools: the admins of the lab's group; a public lab's (group null): superAdm alone. */
export const poolsPolicy: AccessPolicy<{ labGroupId: number | null }> = {
  mayActOn: (actor, o) =>
    o.labGroupId === null ? reachesAllGroups(actor) : administersGroup(actor, o.labGroupId),
  refusal: msg("pools.notAdminOfLab"),
};

/**
 * What a desktops action names, and the rule for each:
 *  - lab (open): a member of the lab's group; a public lab: anyone signed in.
 *  - labAdmin (message, classroom): an admin of the lab's group (a public lab: superAdm).
 *  - desktop (release, reset, messages): the student it is assigned to while a member of its group (see
 *    isAssigneeOf), or an admin of its group. This is
 *    where an assignment counts like ownership; it never does for delete, resize, snapshot or assign.
 */
export type DesktopsObject =
  | { lab: { groupId: number | null } }
  | { labAdmin: { groupId: number | null } }
  | { desktop: { assignedTo: number | null; groupId: number | null } };

const adminOf = (actor: Actor, groupId: number | null) =>
  groupId === null ? reachesAllGroups(actor) : administersGroup(actor, groupId);

export const desktopsPolicy: AccessPolicy<DesktopsObject> = {
  mayActOn(actor, o) {
    if ("lab" in o)
      return o.lab.groupId === null || reachesAllGroups(actor) || actor.groupIds.includes(o.lab.groupId);
    if ("labAdmin" in o) return adminOf(actor, o.labAdmin.groupId);
    return isAssigneeOf(actor, o.desktop) || adminOf(actor, o.desktop.groupId);
  },
  refusal: msg("desktops.notYours"),
};
