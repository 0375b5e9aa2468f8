import { createPoolInput, labPoolsInput, poolIdInput, updatePoolInput } from "@/common/pools";
import {
  createPool,
  deletePool,
  listPools,
  setPoolState,
  updatePool,
} from "@/server/domain/pools/manage-pools";
import { createTRPCRouter, procedureFor } from "../trpc";

export const poolsRouter = createTRPCRouter({
  list: procedureFor("pools", "list")
    .input(labPoolsInput)
    .query(({ ctx, input }) => listPools(ctx, input.labId)),
  create: procedureFor("pools", "create")
    .input(createPoolInput)
    .mutation(({ ctx, input }) => createPool(ctx, input)),
  update: procedureFor("pools", "update")
    .input(updatePoolInput)
    .mutation(({ ctx, input }) => updatePool(ctx, input)),
  start: procedureFor("pools", "start")
    .input(poolIdInput)
    .mutation(({ ctx, input }) => setPoolState(ctx, input.id, "running")),
  stop: procedureFor("pools", "stop")
    .input(poolIdInput)
    .mutation(({ ctx, input }) => setPoolState(ctx, input.id, "stopped")),
  delete: procedureFor("pools", "delete")
    .input(poolIdInput)
    .mutation(({ ctx, input }) => deletePool(ctx, input.id)),
});
