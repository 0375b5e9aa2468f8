import { msg } from "@/common/message";
import { volumes } from "@/db/schema";
import { mayActOnOwned, ownedRowsFor, type OwnedObject } from "./owned";
import type { AccessPolicy } from "./policy";

/** Volumes are owned like instances. */
export const volumesPolicy: AccessPolicy<OwnedObject> = {
  mayActOn: mayActOnOwned,
  refusal: msg("auth.notYourVolume"),
  rowsFor: (actor) => ownedRowsFor(actor, volumes),
};
