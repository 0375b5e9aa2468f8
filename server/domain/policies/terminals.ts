import { inArray } from "drizzle-orm";
import type { MySqlColumn } from "drizzle-orm/mysql-core";
import { msg } from "@/common/message";
import type { Actor } from "../context";
import { administersGroup, reachesAllGroups } from "./owned";
import type { AccessPolicy } from "./policy";

/**
 * A terminal as an object: its lab and the lab's group. A pending terminal has no lab (nobody's but
 * superAdm's); a public lab's (group null) are superAdm's; a group's lab's: the group's admins.
 */
export interface TerminalObject {
  labId: number | null;
  labGroupId: number | null;
}

export const terminalsPolicy: AccessPolicy<TerminalObject> = {
  mayActOn: (actor, o) =>
    o.labId === null || o.labGroupId === null
      ? reachesAllGroups(actor)
      : administersGroup(actor, o.labGroupId),
  refusal: msg("terminals.notAdminOfLab"),
};

/** The terminals an actor may list: every one for superAdm, else those of labs of groups they administer. */
export function terminalRowsFor(actor: Actor, labGroupId: MySqlColumn) {
  if (reachesAllGroups(actor)) return undefined;
  if (actor.role !== "powerAdm" || actor.adminGroupIds.length === 0) return null;
  return inArray(labGroupId, actor.adminGroupIds);
}
