import { listImages, listImageVersions } from "@/server/domain/images/find-images";
import { deleteImage, updateImage } from "@/server/domain/images/manage-images";
import {
  imageIdInput,
  listImagesInput,
  syncImageInput,
  updateImageInput,
} from "@/server/domain/images/schemas";
import { listImageHostCache, syncImageToHosts } from "@/server/domain/images/sync-images";
import { createTRPCRouter, procedureFor } from "../trpc";

// Uploads (tus, /api/v1/uploads) and downloads (/api/v1/images/<id>/download) stream over REST, not
// tRPC; their permission entries are in the same table.
export const imagesRouter = createTRPCRouter({
  list: procedureFor("images", "list")
    .input(listImagesInput)
    .query(({ ctx, input }) => listImages(ctx, input)),
  versions: procedureFor("images", "versions")
    .input(imageIdInput)
    .query(({ ctx, input }) => listImageVersions(ctx, input.id)),
  update: procedureFor("images", "update")
    .input(updateImageInput)
    .mutation(({ ctx, input }) => updateImage(ctx, input)),
  delete: procedureFor("images", "delete")
    .input(imageIdInput)
    .mutation(({ ctx, input }) => deleteImage(ctx, input)),
  sync: procedureFor("images", "sync")
    .input(syncImageInput)
    .mutation(({ ctx, input }) => syncImageToHosts(ctx, input)),
  hostCache: procedureFor("images", "hostCache")
    .input(imageIdInput)
    .query(({ ctx, input }) => listImageHostCache(ctx, input.id)),
});
