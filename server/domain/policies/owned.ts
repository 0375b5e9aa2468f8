import { eq, inArray, or, type SQL } from "drizzle-orm";
import type { MySqlColumn } from "drizzle-orm/mysql-core";
import { mayActOnOwned, type OwnedObject } from "@/common/ownership";
import type { Actor } from "../context";

export { mayActOnOwned, type OwnedObject };

/** The rows of an owned table the actor reaches by the same rule (undefined: every row). */
export function ownedRowsFor(
  actor: Actor,
  columns: { ownerId: MySqlColumn; groupId: MySqlColumn },
): SQL | undefined {
  if (actor.role === "superAdm") return undefined;
  if (actor.role === "powerAdm" && actor.adminGroupIds.length)
    return or(eq(columns.ownerId, actor.id), inArray(columns.groupId, actor.adminGroupIds));
  return eq(columns.ownerId, actor.id);
}

/** The "group" scope: superAdm reaches every group; everyone else only the groups they belong to. */
export const reachesAllGroups = (actor: Actor): boolean => actor.role === "superAdm";

/** Administers the group (its teacher): superAdm every group, a powerAdm those flagged as theirs. */
export function administersGroup(actor: Actor, groupId: number): boolean {
  return reachesAllGroups(actor) || (actor.role === "powerAdm" && actor.adminGroupIds.includes(groupId));
}

export function sharesGroup(actor: Actor, groupIds: readonly number[]): boolean {
  return reachesAllGroups(actor) || groupIds.some((g) => actor.groupIds.includes(g));
}
