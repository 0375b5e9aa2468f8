import { and, eq, inArray, ne, or } from "drizzle-orm";
import { msg } from "@/common/message";
import { instances } from "@/db/schema";
import type { Actor } from "../context";
import { administersGroup, mayActOnOwned, type OwnedObject } from "./owned";
import type { AccessPolicy } from "./policy";

/** An instance as the policies see it: `kind` tells a pool's desktop from a user's own machine. */
export type InstanceObject = OwnedObject & { kind?: string };

/**
 * A pool's desktop belongs to its lab, not to the user it was made for: its owner gets nothing from owning
 * it (a teacher demoted to student keeps ownership). The admins of its group (superAdm any) reach it.
 */
const isDesktop = (o: { kind?: string }) => o.kind === "desktop";
const administersDesktop = (actor: Actor, o: OwnedObject) =>
  o.groupId === null ? actor.role === "superAdm" : administersGroup(actor, o.groupId);

/** Owner, a powerAdm of the instance's group, or superAdm; a desktop: its group's admins only. */
export const instancesPolicy: AccessPolicy<InstanceObject> = {
  mayActOn: (actor, o) => (isDesktop(o) ? administersDesktop(actor, o) : mayActOnOwned(actor, o)),
  refusal: msg("auth.notYourInstance"),
  rowsFor: (actor) => {
    if (actor.role === "superAdm") return undefined;
    const owned = and(eq(instances.ownerId, actor.id), ne(instances.kind, "desktop"));
    if (actor.role === "powerAdm" && actor.adminGroupIds.length)
      return or(owned, inArray(instances.groupId, actor.adminGroupIds));
    return owned;
  },
};

/** A snapshot belongs to its instance: who reaches the instance reaches its snapshots. */
export const snapshotsPolicy: AccessPolicy<InstanceObject> = instancesPolicy;

/** A port forward belongs to its instance, like a snapshot. */
export const portForwardsPolicy: AccessPolicy<InstanceObject> = instancesPolicy;

/**
 * The student a desktop is assigned to, while a member of its lab's group (a public lab's desktop has no
 * group: anyone assigned), uses it: console, messages, release, reset. Membership is re-checked at use, so
 * a student taken out of the class loses the desktop even before its release has run.
 */
export function isAssigneeOf(
  actor: Actor,
  o: { assignedTo?: number | null; groupId: number | null },
): boolean {
  if (o.assignedTo == null || o.assignedTo !== actor.id) return false;
  return o.groupId === null || actor.groupIds.includes(o.groupId);
}

/**
 * A console opens onto an instance; the same rule, checked again when the WebSocket connects. The student
 * a pool's desktop is assigned to opens its console (only the console: see desktopsPolicy).
 */
export const consolesPolicy: AccessPolicy<InstanceObject & { assignedTo?: number | null }> = {
  mayActOn: (actor, o) => instancesPolicy.mayActOn(actor, o) || (isDesktop(o) && isAssigneeOf(actor, o)),
  refusal: msg("consoles.noLongerAllowed"),
};
