import {
  createFlavor,
  deleteFlavor,
  listFlavors,
  updateFlavor,
} from "@/server/domain/flavors/manage-flavors";
import { createFlavorInput, flavorIdInput, updateFlavorInput } from "@/server/domain/flavors/schemas";
import { createTRPCRouter, procedureFor } from "../trpc";

export const flavorsRouter = createTRPCRouter({
  list: procedureFor("flavors", "list").query(({ ctx }) => listFlavors(ctx)),
  create: procedureFor("flavors", "create")
    .input(createFlavorInput)
    .mutation(({ ctx, input }) => createFlavor(ctx, input)),
  update: procedureFor("flavors", "update")
    .input(updateFlavorInput)
    .mutation(({ ctx, input }) => updateFlavor(ctx, input)),
  delete: procedureFor("flavors", "delete")
    .input(flavorIdInput)
    .mutation(async ({ ctx, input }) => {
      await deleteFlavor(ctx, input.id);
      return { id: input.id };
    }),
});
