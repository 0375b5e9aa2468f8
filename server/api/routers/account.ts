import {
  changeOwnPassword,
  getOwnAccount,
  signOutEverywhere,
  updateOwnPreferences,
} from "@/server/domain/account/manage-account";
import { changePasswordInput, updatePreferencesInput } from "@/server/domain/users/schemas";
import { createTRPCRouter, procedureFor } from "../trpc";

export const accountRouter = createTRPCRouter({
  me: procedureFor("account", "read").query(({ ctx }) => getOwnAccount(ctx)),
  changePassword: procedureFor("account", "changePassword")
    .input(changePasswordInput)
    .mutation(async ({ ctx, input }) => {
      await changeOwnPassword(ctx, input, ctx.sessionId ?? null);
      return { ok: true as const };
    }),
  signOutEverywhere: procedureFor("account", "signOutEverywhere").mutation(async ({ ctx }) => {
    await signOutEverywhere(ctx);
    return { ok: true as const };
  }),
  updatePreferences: procedureFor("account", "updatePreferences")
    .input(updatePreferencesInput)
    .mutation(({ ctx, input }) => updateOwnPreferences(ctx, input)),
});
