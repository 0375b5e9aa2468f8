import { mayActOnOwned } from "./ownership";
import { roleMeets } from "./permissions";
import type { Role } from "./roles";
import { z } from "zod";
import { pageInput, searchText } from "./paging";

/** What people may upload; everything but an ISO is stored as qcow2 (an ISO is kept as is, as raw). */
export const IMAGE_SOURCE_FORMATS = ["qcow2", "raw", "vmdk", "vdi", "iso", "ova"] as const;
export type ImageSourceFormat = (typeof IMAGE_SOURCE_FORMATS)[number];
export const IMAGE_VISIBILITIES = ["public", "group", "private"] as const;
export type ImageVisibility = (typeof IMAGE_VISIBILITIES)[number];

// The same arrays every call: the dialogs reset their form when this prop changes.
const SHARED_OR_PRIVATE: readonly ImageVisibility[] = ["group", "private"];
const PRIVATE_ONLY: readonly ImageVisibility[] = ["private"];
const NONE: readonly ImageVisibility[] = [];

/**
 * The visibilities a role may give an image (upload or change). Public images are the school's catalogue,
 * counted for nobody's quota and offered to every class: superAdm's, as public flavors are. A teacher
 * shares with a group; a powerUser keeps theirs private. The upload and edit dialogs offer these; the
 * server refuses the rest.
 */
export function imageVisibilitiesFor(role: Role): readonly ImageVisibility[] {
  if (role === "superAdm") return IMAGE_VISIBILITIES;
  if (roleMeets(role, "powerAdm")) return SHARED_OR_PRIVATE;
  return roleMeets(role, "powerUser") ? PRIVATE_ONLY : NONE;
}

/** How many uploads one person may have open (created, not finished, not yet forgotten) at a time. */
export const MAX_OPEN_UPLOADS = 2;

const metadataFields = {
  osType: z.string().trim().min(1, "Required.").max(64, "At most 64 characters."),
  minDiskGiB: z.coerce.number().int().min(0).max(65536),
  minRamMiB: z.coerce
    .number()
    .int()
    .min(0)
    .max(4 * 1024 * 1024),
  visibility: z.enum(IMAGE_VISIBILITIES),
  groupId: z.coerce.number().int().positive().nullable(),
};

/** What an upload carries (tus Upload-Metadata values are strings, hence coerce). */
export const uploadImageInput = z.object({
  name: z.string().trim().min(1, "Required.").max(128, "At most 128 characters."),
  format: z.enum(IMAGE_SOURCE_FORMATS),
  filename: z.string().max(255).optional(),
  osType: metadataFields.osType.default("linux"),
  minDiskGiB: metadataFields.minDiskGiB.default(0),
  minRamMiB: metadataFields.minRamMiB.default(0),
  visibility: metadataFields.visibility.default("private"),
  groupId: z
    .union([z.literal(""), metadataFields.groupId])
    .optional()
    .transform((v) => (v === "" || v === undefined ? null : v)),
  newVersionOf: z
    .union([z.literal(""), z.uuid()])
    .optional()
    .transform((v) => v || null),
});
export type UploadImageInput = z.output<typeof uploadImageInput>;

export const imageIdInput = z.object({ id: z.uuid() });
/** Sorts an index serves (migration 0019); the id breaks ties. */
export const IMAGE_SORTS = ["name", "createdAt"] as const;
/** A page of the newest visible version of each image family. */
export const listImagesInput = pageInput(IMAGE_SORTS, { sort: "name", order: "asc" })
  .extend({
    /** Part of the name. */
    search: searchText,
    visibility: z.enum(IMAGE_VISIBILITIES).optional(),
  })
  .prefault({});
export type ListImagesInput = z.output<typeof listImagesInput>;
export const updateImageInput = z.object({
  id: z.uuid(),
  name: z.string().trim().min(1, "Required.").max(128, "At most 128 characters.").optional(),
  osType: metadataFields.osType.optional(),
  minDiskGiB: metadataFields.minDiskGiB.optional(),
  minRamMiB: metadataFields.minRamMiB.optional(),
  visibility: metadataFields.visibility.optional(),
  groupId: metadataFields.groupId.optional(),
});
export const syncImageInput = z.object({
  id: z.uuid(),
  hostIds: z.array(z.uuid()).min(1, "Choose at least one host.").max(200),
});

/** Who may change, delete or add a version to an image: the "own" rule (server: the images policy). */
export const canManageImage = mayActOnOwned;
