import { inArray, isNull, or } from "drizzle-orm";
import type { MySqlColumn } from "drizzle-orm/mysql-core";
import { msg } from "@/common/message";
import type { Actor } from "../context";
import { administersGroup, reachesAllGroups } from "./owned";
import type { AccessPolicy } from "./policy";

/**
 * A profile or lab as an object: its owner group (null: public). `use` asks only to read or use it
 * (a public profile in one's lab), not to manage it.
 */
export interface LabObject {
  groupId: number | null;
  use?: boolean;
}

/** Admins of some group: a teacher (powerAdm with a class) or superAdm. */
const administersSomeGroup = (actor: Actor) =>
  reachesAllGroups(actor) || (actor.role === "powerAdm" && actor.adminGroupIds.length > 0);

/**
 * Group-owned: the group's admins and superAdm. Public: superAdm manages; the admins of any group may
 * read and use it (when `use`).
 */
function mayActOnLabObject(actor: Actor, o: LabObject): boolean {
  if (o.groupId === null) return reachesAllGroups(actor) || (!!o.use && administersSomeGroup(actor));
  return administersGroup(actor, o.groupId);
}

const rowsOf = (includePublic: boolean) => (actor: Actor, columns: { groupId: MySqlColumn }) => {
  if (reachesAllGroups(actor)) return undefined;
  if (!administersSomeGroup(actor)) return null;
  const own = inArray(columns.groupId, actor.adminGroupIds);
  return includePublic ? or(own, isNull(columns.groupId)) : own;
};

/** Profiles the actor may list: their groups' and the public ones (superAdm all). */
export const profileRowsFor = rowsOf(true);
/** Labs the actor may list: their groups' (superAdm all, public ones included). */
export const labRowsFor = rowsOf(false);

export const profilesPolicy: AccessPolicy<LabObject> = {
  mayActOn: mayActOnLabObject,
  refusal: msg("auth.notAdminOfGroupOf", { what: "profile" }),
};

export const labsPolicy: AccessPolicy<LabObject> = {
  mayActOn: mayActOnLabObject,
  refusal: msg("auth.notAdminOfGroupOf", { what: "lab" }),
};
