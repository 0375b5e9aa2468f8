import { createClusterInput, deleteClusterInput, renameClusterInput } from "@/common/clusters";
import { createCluster, deleteCluster, listClusters, renameCluster } from "@/server/domain/hosts/clusters";
import { createTRPCRouter, procedureFor } from "../trpc";

export const clustersRouter = createTRPCRouter({
  list: procedureFor("clusters", "list").query(({ ctx }) => listClusters(ctx)),
  create: procedureFor("clusters", "create")
    .input(createClusterInput)
    .mutation(({ ctx, input }) => createCluster(ctx, input)),
  rename: procedureFor("clusters", "rename")
    .input(renameClusterInput)
    .mutation(({ ctx, input }) => renameCluster(ctx, input)),
  delete: procedureFor("clusters", "delete")
    .input(deleteClusterInput)
    .mutation(({ ctx, input }) => deleteCluster(ctx, input)),
});
