import { createApiTokenInput, revokeApiTokenInput } from "@/common/api-tokens";
import {
  createApiToken,
  listAllApiTokens,
  listOwnApiTokens,
  revokeApiToken,
} from "@/server/domain/api-tokens/manage-api-tokens";
import { createTRPCRouter, procedureFor } from "../trpc";

export const apiTokensRouter = createTRPCRouter({
  list: procedureFor("apiTokens", "list").query(({ ctx }) => listOwnApiTokens(ctx)),
  create: procedureFor("apiTokens", "create")
    .input(createApiTokenInput)
    .mutation(({ ctx, input }) => createApiToken(ctx, input)),
  revoke: procedureFor("apiTokens", "revoke")
    .input(revokeApiTokenInput)
    .mutation(({ ctx, input }) => revokeApiToken(ctx, input.id)),
  listAll: procedureFor("apiTokens", "listAll").query(({ ctx }) => listAllApiTokens(ctx)),
  revokeAny: procedureFor("apiTokens", "revokeAny")
    .input(revokeApiTokenInput)
    .mutation(({ ctx, input }) => revokeApiToken(ctx, input.id, { any: true })),
});
