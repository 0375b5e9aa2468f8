import { msg } from "@/common/message";
import { instances } from "@/db/schema";
import { mayActOnOwned, ownedRowsFor, type OwnedObject } from "./owned";
import type { AccessPolicy } from "./policy";

/** Owner, a powerAdm of the instance's group, or superAdm. */
export const instancesPolicy: AccessPolicy<OwnedObject> = {
  mayActOn: mayActOnOwned,
  refusal: msg("auth.notYourInstance"),
  rowsFor: (actor) => ownedRowsFor(actor, instances),
};

/** A snapshot belongs to its instance: who reaches the instance reaches its snapshots. */
export const snapshotsPolicy: AccessPolicy<OwnedObject> = instancesPolicy;

/** A port forward belongs to its instance, like a snapshot. */
export const portForwardsPolicy: AccessPolicy<OwnedObject> = instancesPolicy;

/**
 * A console opens onto an instance; the same rule, checked again when the WebSocket connects. The student
 * a pool's desktop is assigned to opens its console like its owner (only the console: see desktopsPolicy).
 */
export const consolesPolicy: AccessPolicy<OwnedObject & { assignedTo?: number | null }> = {
  mayActOn: (actor, o) => mayActOnOwned(actor, o) || (o.assignedTo != null && o.assignedTo === actor.id),
  refusal: msg("consoles.noLongerAllowed"),
};
