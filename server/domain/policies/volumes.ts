import { volumes } from "@/db/schema";
import { mayActOnOwned, ownedRowsFor, type OwnedObject } from "./owned";
import type { AccessPolicy } from "./policy";

/** Volumes are owned like instances. */
export const volumesPolicy: AccessPolicy<OwnedObject> = {
  mayActOn: mayActOnOwned,
  refusal: "This volume is not yours, nor in a group you administer.",
  rowsFor: (actor) => ownedRowsFor(actor, volumes),
};
