import { listImages } from "@/server/domain/images/find-images";
import { createTRPCRouter, procedureFor } from "../trpc";

// Uploads are streamed over REST (app/api/v1/images/route.ts), not tRPC; the permission is the same entry.
export const imagesRouter = createTRPCRouter({
  list: procedureFor("images", "list").query(({ ctx }) => listImages(ctx)),
});
