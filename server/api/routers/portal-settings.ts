import { portalSettingsInput } from "@/common/accounts";
import { getPortalSettings, updatePortalSettings } from "@/server/domain/settings/portal-settings";
import { createTRPCRouter, procedureFor } from "../trpc";

export const portalSettingsRouter = createTRPCRouter({
  read: procedureFor("portalSettings", "read").query(({ ctx }) => getPortalSettings(ctx)),
  // The audit log keeps the input with the SMTP password redacted (record-audit.ts drops "password" keys).
  update: procedureFor("portalSettings", "update")
    .input(portalSettingsInput)
    .mutation(({ ctx, input }) => updatePortalSettings(ctx, input)),
});
