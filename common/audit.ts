import { z } from "zod";
import { pageInput } from "./paging";

export const auditFilterInput = z
  .object({
    actor: z.string().trim().max(64).optional(),
    action: z.string().trim().max(96).optional(),
    result: z.enum(["success", "failure"]).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ["to"], message: "“To” is before “from”." });

/** Sorts an index serves; the id breaks ties (and follows the time order). */
export const AUDIT_SORTS = ["at"] as const;
export const listAuditInput = pageInput(AUDIT_SORTS, { sort: "at", order: "desc" }).extend({
  filter: auditFilterInput.default({}),
});
export type ListAuditInput = z.output<typeof listAuditInput>;
export type AuditFilter = z.output<typeof auditFilterInput>;
