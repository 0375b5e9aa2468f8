// Who may add, change and remove images, and the rules for each. Upload: powerUser and up, with the
// visibilities of common/images.ts (public: superAdm only; a powerUser: private only), counted in the
// uploader's group. Change and delete: the owner, a powerAdm of the image's group, superAdm; a change of
// visibility or group reserves quota for what it adds.
import { and, eq, isNull, ne, or } from "drizzle-orm";
import { images, instances, type ImageRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { roleMeets } from "@/common/permissions";
import type { Actor, DomainContext } from "../context";
import { requireActor } from "../context";
import { DomainError, forbidden, notFound } from "../errors";
import { mayActOn } from "../policies/authorize";
import { familyOf, findVisibleImage } from "./find-images";
import { imageGiBOf, removeStoredFileIfUnused, type ImportImageInput } from "./import-image";
import { imageVisibilitiesFor, type UploadImageInput } from "./schemas";
import { reserveQuota, type QuotaRequest } from "../quotas/reserve-quota";
import { msg } from "@/common/message";

const canManageImage = (actor: Actor, image: Pick<ImageRow, "ownerId" | "groupId">): boolean =>
  mayActOn(actor, "images", image);

type Placement = Pick<ImageRow, "visibility" | "groupId">;

function assertVisibilityAllowed(actor: Actor, visibility: ImageRow["visibility"]): void {
  if (imageVisibilitiesFor(actor.role).includes(visibility)) return;
  if (!roleMeets(actor.role, "powerAdm"))
    throw new DomainError("FORBIDDEN", msg("images.privateOnly"), { visibility: msg("field.privateOnly") });
  throw new DomainError("FORBIDDEN", msg("images.publicSuperAdmOnly"), {
    visibility: msg("images.fieldPublic"),
  });
}

/**
 * Where an upload's image will be counted. A non-superAdm's image always lands in a group when they have
 * one (the one named, else their first, as a launch does): an image "in no group" would count against
 * the owner's limits alone and escape the class's. Someone in no group has only their own limits.
 */
function placeUpload(actor: Actor, visibility: ImageRow["visibility"], groupId: number | null): Placement {
  assertVisibilityAllowed(actor, visibility);
  if (visibility === "public") return { visibility, groupId: null };
  const superAdm = actor.role === "superAdm";
  const g = groupId ?? (visibility === "group" || !superAdm ? (actor.groupIds[0] ?? null) : null);
  if (g === null && visibility === "group")
    throw new DomainError("INVALID", msg("images.chooseGroup"), { groupId: msg("field.groupRequired") });
  if (g !== null && !superAdm && !actor.groupIds.includes(g)) throw forbidden(msg("auth.notMemberOfGroup"));
  return { visibility, groupId: g };
}

/**
 * Where a changed image will be counted, or null when the change keeps it where it is. A new visibility
 * must be one the role may give (a teacher may keep a public image they published before, not make one);
 * a new group, or sharing with one, must be one of the caller's; a non-superAdm cannot take an image out
 * of its group (that would leave the group's limits).
 */
function placeChange(
  actor: Actor,
  image: ImageRow,
  input: { visibility?: ImageRow["visibility"]; groupId?: number | null },
): Placement | null {
  const visibility = input.visibility ?? image.visibility;
  const asked = input.groupId === undefined ? image.groupId : input.groupId;
  if (visibility === image.visibility && (visibility === "public" || asked === image.groupId)) return null;
  if (visibility !== image.visibility) assertVisibilityAllowed(actor, visibility);
  if (visibility === "public") return { visibility, groupId: null };
  const superAdm = actor.role === "superAdm";
  if (asked === null && image.groupId !== null && !superAdm)
    throw new DomainError("FORBIDDEN", msg("images.keepInGroup"), {
      groupId: msg("images.fieldKeepInGroup"),
    });
  // A public image becoming private lands in a group as an upload does (its limits apply).
  const g =
    asked ??
    (visibility === "group" || (!superAdm && input.groupId === undefined)
      ? (actor.groupIds[0] ?? null)
      : null);
  if (g === null && visibility === "group")
    throw new DomainError("INVALID", msg("images.chooseGroup"), { groupId: msg("field.groupRequired") });
  const sharesAnew = visibility === "group" && image.visibility !== "group";
  if (g !== null && !superAdm && (g !== image.groupId || sharesAnew) && !actor.groupIds.includes(g))
    throw forbidden(msg("auth.notMemberOfGroup"));
  return { visibility, groupId: g };
}

const countsFor = (p: Placement) => p.visibility !== "public";

/**
 * What moving an image from `before` to `after` adds: to its owner when it starts to count at all (it
 * was public), to a group when it arrives there. Leaving a group or becoming public frees, never adds.
 */
export function imageMoveQuotaRequest(
  image: Pick<ImageRow, "ownerId" | "sizeBytes">,
  before: Placement,
  after: Placement,
  requestedBy: number,
): QuotaRequest {
  const add = { images: 1, imageGiB: imageGiBOf(image.sizeBytes) };
  const toOwner = countsFor(after) && !countsFor(before) && image.ownerId !== null;
  const toGroup =
    countsFor(after) && after.groupId !== null && !(countsFor(before) && before.groupId === after.groupId);
  return {
    owners: toOwner ? [{ ownerId: image.ownerId!, add }] : [],
    groupId: toGroup ? after.groupId : null,
    // The owners' additions count for the group already; a group→group move adds to the group alone.
    groupAdd: toGroup && !toOwner ? add : undefined,
    requestedBy,
  };
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
  const { groupId } = placeUpload(actor, input.visibility, input.groupId);
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
  const found = await findManageableImage(ctx, input.id);
  // The quota locks come before the image's row (every path takes them first), so the placement is
  // decided from a read before the locks and confirmed under them: changed meanwhile, decide again.
  for (let attempt = 0; ; attempt++) {
    const image = attempt === 0 ? found : await findManageableImage(ctx, input.id);
    const placed = placeChange(actor, image, input);
    const done = await ctx.db.transaction(
      async (tx) => {
        if (placed) await reserveQuota(tx, imageMoveQuotaRequest(image, image, placed, actor.id));
        const [now] = await tx.select().from(images).where(eq(images.id, image.id)).for("update");
        if (!now || now.deletedAt) throw notFound("image");
        if (
          now.visibility !== image.visibility ||
          now.groupId !== image.groupId ||
          now.ownerId !== image.ownerId
        )
          return false;
        const patch: Partial<typeof images.$inferInsert> = { ...(placed ?? {}) };
        if (input.osType !== undefined) patch.osType = input.osType;
        if (input.minDiskGiB !== undefined) patch.minDiskGiB = input.minDiskGiB;
        if (input.minRamMiB !== undefined) patch.minRamMiB = input.minRamMiB;
        if (Object.keys(patch).length) await tx.update(images).set(patch).where(eq(images.id, image.id));
        // The name belongs to the family: every version keeps it.
        if (input.name !== undefined && input.name !== image.name) {
          const family = familyOf(image);
          await tx
            .update(images)
            .set({ name: input.name })
            .where(or(eq(images.familyId, family), eq(images.id, family)));
        }
        return true;
      },
      { isolationLevel: "read committed" },
    );
    if (done) break;
    if (attempt >= 2) throw new DomainError("CONFLICT", msg("images.changedMeanwhile"));
  }
  return (await ctx.db.select().from(images).where(eq(images.id, input.id)))[0]!;
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
