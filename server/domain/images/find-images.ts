import { and, asc, desc, eq, exists, inArray, isNull, ne, or, sql } from "drizzle-orm";
import { images, instances, profiles, profileVersions, tasks, type ImageRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor, DomainContext } from "../context";
import { requireActor } from "../context";
import { notFound } from "../errors";
import { imagesVisibleTo } from "../policies/images";

/** Public images, the caller's group images, the caller's own; superAdm sees all (the images policy). */
export const visibleTo = imagesVisibleTo;

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

/**
 * A stored image for a host's agent, only when that host has work that needs it: an instance placed on
 * it that boots from the image (not deleted), or an image.sync task for it still queued or running.
 * Hosts are not users, so visibility is not the rule: without such a reason a host gets the same 404 as
 * for an image that does not exist (a private image of anyone's, a deleted one, a guessed id).
 */
export async function findImageForHost(
  db: Database,
  hostId: string,
  id: string,
  /**
   * A lab PC in local mode (docs/labs.md): also the current image of any public profile, and any image
   * a valid local-desktop ticket names for this host (`ticketOk`, checked by the caller).
   */
  opts: { localDesktop?: { ticketOk: boolean } } = {},
): Promise<ImageRow> {
  const placed = db
    .select({ one: sql`1` })
    .from(instances)
    .where(and(eq(instances.imageId, id), eq(instances.hostId, hostId), ne(instances.state, "DELETED")));
  const syncing = db
    .select({ one: sql`1` })
    .from(tasks)
    .where(
      and(
        eq(tasks.kind, "image.sync"),
        eq(tasks.targetId, id),
        eq(tasks.hostId, hostId),
        inArray(tasks.state, ["queued", "running"]),
      ),
    );
  const publicProfile = db
    .select({ one: sql`1` })
    .from(profiles)
    .innerJoin(
      profileVersions,
      and(eq(profileVersions.profileId, profiles.id), eq(profileVersions.version, profiles.currentVersion)),
    )
    .where(and(isNull(profiles.groupId), eq(profileVersions.imageId, id)));
  const mayHave = opts.localDesktop?.ticketOk
    ? undefined
    : or(exists(placed), exists(syncing), ...(opts.localDesktop ? [exists(publicProfile)] : []));
  const [image] = await db
    .select()
    .from(images)
    .where(and(eq(images.id, id), isNull(images.deletedAt), mayHave));
  if (!image) throw notFound("image");
  return image;
}
