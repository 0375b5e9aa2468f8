// Who may add, change and remove images, and the rules for each. Upload: powerAdm and up; a powerUser
// may upload private images only. Change and delete: the owner, a powerAdm of the image's group, superAdm.
import { and, eq, isNull, ne, or } from "drizzle-orm";
import { images, instances, type ImageRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { roleMeets } from "@/common/permissions";
import type { Actor, DomainContext } from "../context";
import { requireActor } from "../context";
import { DomainError, forbidden, notFound } from "../errors";
import { mayActOn } from "../policies/authorize";
import { familyOf, findVisibleImage } from "./find-images";
import { removeStoredFileIfUnused, type ImportImageInput } from "./import-image";
import type { UploadImageInput } from "./schemas";
import { msg } from "@/common/message";

const canManageImage = (actor: Actor, image: Pick<ImageRow, "ownerId" | "groupId">): boolean =>
  mayActOn(actor, "images", image);

function checkVisibility(
  actor: Actor,
  visibility: ImageRow["visibility"],
  groupId: number | null,
): number | null {
  if (!roleMeets(actor.role, "powerAdm") && visibility !== "private") {
    throw new DomainError("FORBIDDEN", msg("images.privateOnly"), {
      visibility: msg("field.privateOnly"),
    });
  }
  if (visibility !== "group")
    return groupId && (actor.role === "superAdm" || actor.groupIds.includes(groupId)) ? groupId : null;
  const g = groupId ?? actor.groupIds[0] ?? null;
  if (g === null)
    throw new DomainError("INVALID", msg("images.chooseGroup"), {
      groupId: msg("field.groupRequired"),
    });
  if (actor.role !== "superAdm" && !actor.groupIds.includes(g)) throw forbidden(msg("auth.notMemberOfGroup"));
  return g;
}

/**
 * Checks an upload's metadata before a byte is received, and returns what the import will record.
 * A new version must be of an image the caller may manage.
 */
export async function authorizeImageUpload(
  db: Database,
  actor: Actor,
  input: UploadImageInput,
): Promise<Omit<ImportImageInput, "incomingPath">> {
  const groupId = checkVisibility(actor, input.visibility, input.groupId);
  if (input.newVersionOf) {
    const [base] = await db
      .select()
      .from(images)
      .where(and(eq(images.id, input.newVersionOf), isNull(images.deletedAt)));
    if (!base) throw notFound("imageBase");
    if (!canManageImage(actor, base)) throw forbidden(msg("images.noVersions"));
  }
  return {
    name: input.name,
    format: input.format,
    visibility: input.visibility,
    groupId,
    ownerId: actor.id,
    osType: input.osType,
    minDiskGiB: input.minDiskGiB,
    minRamMiB: input.minRamMiB,
    newVersionOf: input.newVersionOf,
  };
}

async function findManageableImage(ctx: DomainContext, id: string): Promise<ImageRow> {
  const actor = requireActor(ctx);
  const image = await findVisibleImage(ctx, id);
  if (!canManageImage(actor, image)) throw forbidden(msg("images.noChange"));
  return image;
}

export async function updateImage(
  ctx: DomainContext,
  input: {
    id: string;
    name?: string;
    osType?: string;
    minDiskGiB?: number;
    minRamMiB?: number;
    visibility?: ImageRow["visibility"];
    groupId?: number | null;
  },
): Promise<ImageRow> {
  const actor = requireActor(ctx);
  const image = await findManageableImage(ctx, input.id);
  const patch: Partial<typeof images.$inferInsert> = {};
  if (input.osType !== undefined) patch.osType = input.osType;
  if (input.minDiskGiB !== undefined) patch.minDiskGiB = input.minDiskGiB;
  if (input.minRamMiB !== undefined) patch.minRamMiB = input.minRamMiB;
  if (input.visibility !== undefined || input.groupId !== undefined) {
    const visibility = input.visibility ?? image.visibility;
    patch.visibility = visibility;
    patch.groupId = checkVisibility(
      actor,
      visibility,
      input.groupId === undefined ? image.groupId : input.groupId,
    );
  }
  if (Object.keys(patch).length) await ctx.db.update(images).set(patch).where(eq(images.id, image.id));
  // The name belongs to the family: every version keeps it.
  if (input.name !== undefined && input.name !== image.name) {
    const family = familyOf(image);
    await ctx.db
      .update(images)
      .set({ name: input.name })
      .where(or(eq(images.familyId, family), eq(images.id, family)));
  }
  return (await ctx.db.select().from(images).where(eq(images.id, image.id)))[0]!;
}

/** Refused while an instance (not deleted) uses the image; the error names them. */
export async function deleteImage(ctx: DomainContext, input: { id: string }): Promise<{ id: string }> {
  const image = await findManageableImage(ctx, input.id);
  const users = await ctx.db
    .select({ id: instances.id, name: instances.name })
    .from(instances)
    .where(and(eq(instances.imageId, image.id), ne(instances.state, "DELETED")));
  if (users.length) {
    const names = users
      .slice(0, 10)
      .map((u) => u.name)
      .join(", ");
    throw new DomainError(
      "CONFLICT",
      msg("images.inUse", { count: users.length, names: `${names}${users.length > 10 ? ", …" : ""}` }),
    );
  }
  // Soft: deleted instances still refer to the row. The file goes when no live image names it.
  await ctx.db
    .update(images)
    .set({ deletedAt: new Date() })
    .where(and(eq(images.id, image.id), isNull(images.deletedAt)));
  await removeStoredFileIfUnused({ db: ctx.db, storeDir: ctx.settings.imageStoreDir }, image.sha256);
  return { id: image.id };
}
