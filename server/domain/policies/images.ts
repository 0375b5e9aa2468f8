import { msg } from "@/common/message";
import { and, eq, inArray, isNull, or, type AnyColumn, type SQL } from "drizzle-orm";
import { images } from "@/db/schema";
import type { Actor } from "../context";
import { mayActOnOwned, type OwnedObject } from "./owned";
import type { AccessPolicy } from "./policy";

/** Public images, the caller's group images, the caller's own; superAdm sees all. Deleted ones: nobody. */
type ImageColumns = Record<"deletedAt" | "visibility" | "ownerId" | "groupId", AnyColumn>;

export function imagesVisibleTo(actor: Actor, t: ImageColumns = images): SQL {
  // `t`: the same rule on an alias of the table (the image list compares an image with its newer versions).
  const live = isNull(t.deletedAt);
  if (actor.role === "superAdm") return live;
  const parts: SQL[] = [eq(t.visibility, "public"), eq(t.ownerId, actor.id)];
  if (actor.groupIds.length) parts.push(and(eq(t.visibility, "group"), inArray(t.groupId, actor.groupIds))!);
  return and(live, or(...parts))!;
}

/** Change, delete and new versions: the owner, a powerAdm of the image's group, or superAdm. */
export const imagesPolicy: AccessPolicy<OwnedObject> = {
  mayActOn: mayActOnOwned,
  refusal: msg("images.noChange"),
  rowsFor: (actor) => imagesVisibleTo(actor),
};
