import type { Role } from "./roles";

/** Something a user owns and that is managed in one group (instances, volumes, images). */
export interface OwnedObject {
  ownerId: number | null;
  groupId: number | null;
}

/**
 * The "own" scope: the owner, a powerAdm who administers the object's group (its teacher; a mere member
 * does not), or superAdm. One rule for every owned
 * resource (an instance, its volumes and its snapshots can never disagree about who reaches them), and
 * client-safe, so a page shows an action exactly where the server will allow it.
 */
export function mayActOnOwned(
  actor: { id: number; role: Role; adminGroupIds: readonly number[] },
  o: OwnedObject,
): boolean {
  if (actor.role === "superAdm" || o.ownerId === actor.id) return true;
  return actor.role === "powerAdm" && o.groupId !== null && actor.adminGroupIds.includes(o.groupId);
}
