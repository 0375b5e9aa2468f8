import { and, desc, eq, gte, like, lt, lte, type SQL } from "drizzle-orm";
import { auditLog, type AuditRow } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { toCsv } from "../csv";
import type { AuditFilter } from "./schemas";

function conditionsOf(f: AuditFilter): SQL[] {
  const c: SQL[] = [];
  const escape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
  if (f.actor) c.push(like(auditLog.actorName, `%${escape(f.actor)}%`));
  if (f.action) c.push(like(auditLog.action, `${escape(f.action)}%`));
  if (f.result) c.push(eq(auditLog.result, f.result));
  if (f.from) c.push(gte(auditLog.at, f.from));
  if (f.to) c.push(lte(auditLog.at, f.to));
  return c;
}

/** Newest first, paged by id so new entries arriving meanwhile do not shift pages. */
export async function listAudit(
  ctx: DomainContext,
  input: { filter: AuditFilter; cursor?: number; limit: number },
): Promise<{ items: AuditRow[]; nextCursor: number | null }> {
  requireActor(ctx);
  const c = conditionsOf(input.filter);
  if (input.cursor) c.push(lt(auditLog.id, input.cursor));
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(c.length ? and(...c) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit);
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1]!.id : null };
}

const CSV_COLUMNS = [
  "id",
  "at",
  "actorId",
  "actorName",
  "action",
  "targetType",
  "targetId",
  "result",
  "errorCode",
  "sourceIp",
  "detail",
] as const;
const EXPORT_LIMIT = 100_000;

export async function exportAuditCsv(ctx: DomainContext, filter: AuditFilter): Promise<string> {
  requireActor(ctx);
  const c = conditionsOf(filter);
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(c.length ? and(...c) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(EXPORT_LIMIT);
  return toCsv(
    CSV_COLUMNS,
    rows.map((r) => CSV_COLUMNS.map((k) => r[k])),
  );
}
