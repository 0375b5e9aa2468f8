import {
  and,
  asc,
  desc,
  eq,
  exists,
  gt,
  inArray,
  isNull,
  like,
  ne,
  notExists,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import { alias, QueryBuilder } from "drizzle-orm/mysql-core";
import type { IMAGE_SORTS, ListImagesInput } from "@/common/images";
import type { Page } from "@/common/paging";
import { images, instances, profiles, profileVersions, tasks, type ImageRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor, DomainContext } from "../context";
import { requireActor } from "../context";
import { notFound } from "../errors";
import { imagesVisibleTo } from "../policies/images";
import { countAll, finishPage, likeEscaped, pageClauses, type Keyset } from "../paging/keyset";

/** Public images, the caller's group images, the caller's own; superAdm sees all (the images policy). */
export const visibleTo = imagesVisibleTo;

export const familyOf = (i: Pick<ImageRow, "id" | "familyId">) => i.familyId ?? i.id;

export interface ImageListItem extends ImageRow {
  /** How many versions of this image the caller can see (this one is the newest). */
  versionCount: number;
}

/** The newest visible version of each image family, all of them: what launch dialogs offer (a short list). */
export async function listAllNewestImages(ctx: DomainContext): Promise<ImageListItem[]> {
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

const IMAGE_KEYSET: Keyset<(typeof IMAGE_SORTS)[number]> = {
  sorts: {
    name: { column: images.name, kind: "string" },
    createdAt: { column: images.createdAt, kind: "date" },
  },
  id: { column: images.id, kind: "string" },
};

/**
 * Visible images of which the caller sees no newer version (the family's newest visible one), with the
 * filters. A family is its first version's id: `family_id`, or the row's own id for old first versions.
 */
function newestVisibleFilter(actor: Actor, input: ListImagesInput): SQL | undefined {
  const newer = alias(images, "newer");
  const newerVisible = new QueryBuilder()
    .select({ one: sql`1` })
    .from(newer)
    .where(
      and(
        eq(newer.familyId, sql`coalesce(${images.familyId}, ${images.id})`),
        gt(newer.version, images.version),
        visibleTo(actor, newer),
      ),
    );
  return and(
    visibleTo(actor),
    notExists(newerVisible),
    input.visibility ? eq(images.visibility, input.visibility) : undefined,
    input.search ? like(images.name, `%${likeEscaped(input.search)}%`) : undefined,
  );
}

/** One page's rows through the index on the sort column (exported so a test can EXPLAIN it). */
export function imagePageQuery(ctx: DomainContext, input: ListImagesInput) {
  const page = pageClauses(IMAGE_KEYSET, input);
  return ctx.db
    .select()
    .from(images)
    .where(and(newestVisibleFilter(requireActor(ctx), input), page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit);
}

/** A page of the newest visible version of each image family, with how many versions the caller sees. */
export async function listImages(ctx: DomainContext, input: ListImagesInput): Promise<Page<ImageListItem>> {
  const actor = requireActor(ctx);
  const [rows, [count]] = await Promise.all([
    imagePageQuery(ctx, input),
    ctx.db.select({ n: countAll }).from(images).where(newestVisibleFilter(actor, input)),
  ]);
  const { items, nextCursor } = finishPage(IMAGE_KEYSET, input, rows);
  const families = [...new Set(items.map(familyOf))];
  const counts = new Map<string, number>();
  if (families.length) {
    const family = sql<string>`coalesce(${images.familyId}, ${images.id})`;
    const perFamily = await ctx.db
      .select({ family, n: countAll })
      .from(images)
      .where(and(visibleTo(actor), or(inArray(images.familyId, families), inArray(images.id, families))))
      .groupBy(family);
    for (const f of perFamily) counts.set(f.family, f.n);
  }
  return {
    items: items.map((r) => ({ ...r, versionCount: counts.get(familyOf(r)) ?? 1 })),
    nextCursor,
    total: count?.n ?? 0,
  };
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
