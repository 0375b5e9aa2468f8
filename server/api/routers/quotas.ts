import {
  groupUsageInput,
  setGroupLimitsInput,
  setRoleDefaultsInput,
  setUserLimitsInput,
} from "@/common/quotas";
import { setGroupLimits, setRoleDefaults, setUserLimits } from "@/server/domain/quotas/manage-quotas";
import {
  exportAllQuotasCsv,
  listAllQuotas,
  readGroupQuotas,
  readMyQuotas,
} from "@/server/domain/quotas/quota-views";
import { createTRPCRouter, procedureFor } from "../trpc";

export const quotasRouter = createTRPCRouter({
  mine: procedureFor("quotas", "mine").query(({ ctx }) => readMyQuotas(ctx)),
  group: procedureFor("quotas", "group")
    .input(groupUsageInput)
    .query(({ ctx, input }) => readGroupQuotas(ctx, input.groupId)),
  listAll: procedureFor("quotas", "listAll").query(({ ctx }) => listAllQuotas(ctx)),
  exportAll: procedureFor("quotas", "exportAll").query(({ ctx }) => exportAllQuotasCsv(ctx)),
  setRoleDefaults: procedureFor("quotas", "setRoleDefaults")
    .input(setRoleDefaultsInput)
    .mutation(({ ctx, input }) => setRoleDefaults(ctx, input)),
  setGroupLimits: procedureFor("quotas", "setGroupLimits")
    .input(setGroupLimitsInput)
    .mutation(({ ctx, input }) => setGroupLimits(ctx, input)),
  setUserLimits: procedureFor("quotas", "setUserLimits")
    .input(setUserLimitsInput)
    .mutation(({ ctx, input }) => setUserLimits(ctx, input)),
});
