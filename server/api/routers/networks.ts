import {
  exportIpUsageCsv,
  getNetworkDetail,
  listNetworkChoices,
  listNetworks,
} from "@/server/domain/networks/find-networks";
import {
  allocateInfrastructureAddress,
  carveSubnet,
  confirmSubnet,
  deleteSubnet,
  listSubnets,
  releaseInfrastructureAddress,
} from "@/server/domain/networks/ipam";
import { createNetwork, deleteNetwork, updateNetwork } from "@/server/domain/networks/manage-networks";
import { addPortForward, listPortForwards, removePortForward } from "@/server/domain/networks/port-forwards";
import {
  addPortForwardInput,
  addressIdInput,
  allocateAddressInput,
  carveSubnetInput,
  createNetworkInput,
  instanceIdInput,
  listSubnetsInput,
  networkIdInput,
  portForwardIdInput,
  subnetIdInput,
  updateNetworkInput,
} from "@/server/domain/networks/schemas";
import { createTRPCRouter, procedureFor } from "../trpc";

export const networksRouter = createTRPCRouter({
  choices: procedureFor("networks", "choices").query(({ ctx }) => listNetworkChoices(ctx)),
  list: procedureFor("networks", "list").query(({ ctx }) => listNetworks(ctx)),
  get: procedureFor("networks", "read")
    .input(networkIdInput)
    .query(({ ctx, input }) => getNetworkDetail(ctx, input.id)),
  create: procedureFor("networks", "create")
    .input(createNetworkInput)
    .mutation(({ ctx, input }) => createNetwork(ctx, input)),
  update: procedureFor("networks", "update")
    .input(updateNetworkInput)
    .mutation(({ ctx, input }) => updateNetwork(ctx, input)),
  delete: procedureFor("networks", "delete")
    .input(networkIdInput)
    .mutation(async ({ ctx, input }) => {
      await deleteNetwork(ctx, input.id);
      return { id: input.id };
    }),
  exportUsageCsv: procedureFor("networks", "exportUsage").query(({ ctx }) => exportIpUsageCsv(ctx)),
});

export const ipamRouter = createTRPCRouter({
  listSubnets: procedureFor("ipam", "listSubnets")
    .input(listSubnetsInput)
    .query(({ ctx, input }) => listSubnets(ctx, input)),
  carveSubnet: procedureFor("ipam", "carveSubnet")
    .input(carveSubnetInput)
    .mutation(({ ctx, input }) => carveSubnet(ctx, input)),
  confirmSubnet: procedureFor("ipam", "confirmSubnet")
    .input(subnetIdInput)
    .mutation(({ ctx, input }) => confirmSubnet(ctx, input.id)),
  deleteSubnet: procedureFor("ipam", "deleteSubnet")
    .input(subnetIdInput)
    .mutation(async ({ ctx, input }) => {
      await deleteSubnet(ctx, input.id);
      return { id: input.id };
    }),
  allocateAddress: procedureFor("ipam", "allocateAddress")
    .input(allocateAddressInput)
    .mutation(({ ctx, input }) => allocateInfrastructureAddress(ctx, input)),
  releaseAddress: procedureFor("ipam", "releaseAddress")
    .input(addressIdInput)
    .mutation(async ({ ctx, input }) => {
      await releaseInfrastructureAddress(ctx, input.id);
      return { id: input.id };
    }),
});

export const portForwardsRouter = createTRPCRouter({
  list: procedureFor("portForwards", "list")
    .input(instanceIdInput)
    .query(({ ctx, input }) => listPortForwards(ctx, input.instanceId)),
  create: procedureFor("portForwards", "create")
    .input(addPortForwardInput)
    .mutation(({ ctx, input }) => addPortForward(ctx, input)),
  delete: procedureFor("portForwards", "delete")
    .input(portForwardIdInput)
    .mutation(async ({ ctx, input }) => {
      await removePortForward(ctx, input.id);
      return { id: input.id };
    }),
});
