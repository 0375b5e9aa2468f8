import { and, asc, desc, eq, inArray, isNull, or, type SQL } from "drizzle-orm";
import { images, type ImageRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor, DomainContext } from "../context";
import { requireActor } from "../context";
import { notFound } from "../errors";

/** Public images, the caller's group images, the caller's own; superAdm sees all. Deleted ones: nobody. */
export function visibleTo(actor: Actor): SQL {
  const live = isNull(images.deletedAt);
  if (actor.role === "superAdm") return live;
  const parts: SQL[] = [eq(images.visibility, "public"), eq(images.ownerId, actor.id)];
  if (actor.groupIds.length)
    parts.push(and(eq(images.visibility, "group"), inArray(images.groupId, actor.groupIds))!);
  return and(live, or(...parts))!;
}

export const familyOf = (i: Pick<ImageRow, "id" | "familyId">) => i.familyId ?? i.id;

export interface ImageListItem extends ImageRow {
  /** How many versions of this image the caller can see (this one is the newest). */
  versionCount: number;
}

/** The newest visible version of each image family: what launch dialogs offer. */
export async function listImages(ctx: DomainContext): Promise<ImageListItem[]> {
  const actor = requireActor(ctx);
  const rows = await ctx.db
    .select()
    .from(images)
    .where(visibleTo(actor))
    .orderBy(asc(images.name), desc(images.version));
  const newest = new Map<string, ImageListItem>();
  for (const r of rows) {
    const seen = newest.get(familyOf(r));
    if (seen) seen.versionCount++;
    else newest.set(familyOf(r), { ...r, versionCount: 1 });
  }
  return [...newest.values()];
}

/** Every visible version of the image's family, newest first. */
export async function listImageVersions(ctx: DomainContext, id: string): Promise<ImageRow[]> {
  const actor = requireActor(ctx);
  const image = await findVisibleImage(ctx, id);
  const family = familyOf(image);
  return ctx.db
    .select()
    .from(images)
    .where(and(visibleTo(actor), or(eq(images.familyId, family), eq(images.id, family))))
    .orderBy(desc(images.version));
}

export async function findVisibleImage(ctx: DomainContext, id: string): Promise<ImageRow> {
  return findVisibleImageFor(ctx.db, requireActor(ctx), id);
}

/** The same check for transports that have an actor but no full context (the download route). */
export async function findVisibleImageFor(db: Database, actor: Actor, id: string): Promise<ImageRow> {
  const [row] = await db
    .select()
    .from(images)
    .where(and(eq(images.id, id), visibleTo(actor)));
  if (!row) throw notFound("image");
  return row;
}
