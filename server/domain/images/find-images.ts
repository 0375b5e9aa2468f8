import { and, asc, eq, inArray, or, type SQL } from "drizzle-orm";
import { images, type ImageRow } from "@/db/schema";
import type { Actor, DomainContext } from "../context";
import { requireActor } from "../context";
import { notFound } from "../errors";

/** Public images, the caller's group images, the caller's own; superAdm sees all. */
function visibleTo(actor: Actor): SQL | undefined {
  if (actor.role === "superAdm") return undefined;
  const parts: SQL[] = [eq(images.visibility, "public"), eq(images.ownerId, actor.id)];
  if (actor.groupIds.length) parts.push(and(eq(images.visibility, "group"), inArray(images.groupId, actor.groupIds))!);
  return or(...parts);
}

export async function listImages(ctx: DomainContext): Promise<ImageRow[]> {
  const actor = requireActor(ctx);
  return ctx.db.select().from(images).where(visibleTo(actor)).orderBy(asc(images.name));
}

export async function findVisibleImage(ctx: DomainContext, id: string): Promise<ImageRow> {
  const actor = requireActor(ctx);
  const [row] = await ctx.db.select().from(images).where(and(eq(images.id, id), visibleTo(actor)));
  if (!row) throw notFound("The image");
  return row;
}
