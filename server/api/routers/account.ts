import {
  changeOwnPassword,
  getOwnAccount,
  signOutEverywhere,
  updateOwnPreferences,
} from "@/server/domain/account/manage-account";
import { redeemResetLinkInput, signUpInput, updateProfileInput } from "@/common/accounts";
import { redeemResetLink } from "@/server/domain/account/reset-links";
import { getSignUpOptions, signUp } from "@/server/domain/account/sign-up";
import { updateOwnProfile } from "@/server/domain/account/update-profile";
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
  updateProfile: procedureFor("account", "updateProfile")
    .input(updateProfileInput)
    .mutation(({ ctx, input }) => updateOwnProfile(ctx, input)),
  signUpOptions: procedureFor("account", "signUpOptions").query(({ ctx }) => getSignUpOptions(ctx.db)),
  signUp: procedureFor("account", "signUp")
    .input(signUpInput)
    .mutation(({ ctx, input }) => signUp(ctx, input)),
  redeemResetLink: procedureFor("account", "redeemResetLink")
    .input(redeemResetLinkInput)
    .mutation(({ ctx, input }) => redeemResetLink(ctx, input)),
});
