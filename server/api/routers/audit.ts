import { exportAuditCsv, listAudit } from "@/server/domain/audit/list-audit";
import { auditFilterInput, listAuditInput } from "@/server/domain/audit/schemas";
import { createTRPCRouter, procedureFor } from "../trpc";

export const auditRouter = createTRPCRouter({
  list: procedureFor("audit", "list")
    .input(listAuditInput)
    .query(({ ctx, input }) => listAudit(ctx, input)),
  exportCsv: procedureFor("audit", "export")
    .input(auditFilterInput.default({}))
    .query(({ ctx, input }) => exportAuditCsv(ctx, input)),
});
