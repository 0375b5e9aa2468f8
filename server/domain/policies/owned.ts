import { eq, inArray, or, type SQL } from "drizzle-orm";
import type { MySqlColumn } from "drizzle-orm/mysql-core";
import type { Actor } from "../context";

/** Something a user owns and that is managed in one group (instances, volumes, images). */
export interface OwnedObject {
  ownerId: number | null;
  groupId: number | null;
}

/**
 * The "own" scope: the owner, a powerAdm of the object's group, or superAdm. One rule for every
 * owned resource, so an instance, its volumes and its snapshots can never disagree about who reaches
 * them.
 */
export function mayActOnOwned(actor: Actor, o: OwnedObject): boolean {
  if (actor.role === "superAdm" || o.ownerId === actor.id) return true;
  return actor.role === "powerAdm" && o.groupId !== null && actor.groupIds.includes(o.groupId);
}

/** The rows of an owned table the actor reaches by the same rule (undefined: every row). */
export function ownedRowsFor(
  actor: Actor,
  columns: { ownerId: MySqlColumn; groupId: MySqlColumn },
): SQL | undefined {
  if (actor.role === "superAdm") return undefined;
  if (actor.role === "powerAdm" && actor.groupIds.length)
    return or(eq(columns.ownerId, actor.id), inArray(columns.groupId, actor.groupIds));
  return eq(columns.ownerId, actor.id);
}

/** The "group" scope: superAdm reaches every group; everyone else only the groups they belong to. */
export const reachesAllGroups = (actor: Actor): boolean => actor.role === "superAdm";

export function sharesGroup(actor: Actor, groupIds: readonly number[]): boolean {
  return reachesAllGroups(actor) || groupIds.some((g) => actor.groupIds.includes(g));
}
