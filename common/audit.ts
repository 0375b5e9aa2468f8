import { z } from "zod";

export const auditFilterInput = z
  .object({
    actor: z.string().trim().max(64).optional(),
    action: z.string().trim().max(96).optional(),
    result: z.enum(["success", "failure"]).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ["to"], message: "“To” is before “from”." });

export const listAuditInput = z.object({
  filter: auditFilterInput.default({}),
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type AuditFilter = z.output<typeof auditFilterInput>;
