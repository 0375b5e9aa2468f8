import { msg } from "@/common/message";
import { and, eq, inArray, isNull, or, type SQL } from "drizzle-orm";
import { images } from "@/db/schema";
import type { Actor } from "../context";
import { mayActOnOwned, type OwnedObject } from "./owned";
import type { AccessPolicy } from "./policy";

/** Public images, the caller's group images, the caller's own; superAdm sees all. Deleted ones: nobody. */
export function imagesVisibleTo(actor: Actor): SQL {
  const live = isNull(images.deletedAt);
  if (actor.role === "superAdm") return live;
  const parts: SQL[] = [eq(images.visibility, "public"), eq(images.ownerId, actor.id)];
  if (actor.groupIds.length)
    parts.push(and(eq(images.visibility, "group"), inArray(images.groupId, actor.groupIds))!);
  return and(live, or(...parts))!;
}

/** Change, delete and new versions: the owner, a powerAdm of the image's group, or superAdm. */
export const imagesPolicy: AccessPolicy<OwnedObject> = {
  mayActOn: mayActOnOwned,
  refusal: msg("images.noChange"),
  rowsFor: imagesVisibleTo,
};
