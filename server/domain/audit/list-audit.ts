import { and, desc, eq, gte, like, lte, type SQL } from "drizzle-orm";
import type { Page } from "@/common/paging";
import { auditLog, type AuditRow } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { toCsv } from "../csv";
import { countAll, finishPage, pageClauses, type Keyset } from "../paging/keyset";
import type { AUDIT_SORTS, AuditFilter, ListAuditInput } from "./schemas";

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

const AUDIT_KEYSET: Keyset<(typeof AUDIT_SORTS)[number]> = {
  sorts: { at: { column: auditLog.at, kind: "date" } },
  id: { column: auditLog.id, kind: "number" },
};

/** One page's rows through the index on the time (exported so a test can EXPLAIN it). */
export function auditPageQuery(ctx: DomainContext, input: ListAuditInput) {
  const page = pageClauses(AUDIT_KEYSET, input);
  return ctx.db
    .select()
    .from(auditLog)
    .where(and(...conditionsOf(input.filter), page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit);
}

/** Newest first by default; keyset paging, so entries arriving meanwhile do not shift pages. */
export async function listAudit(ctx: DomainContext, input: ListAuditInput): Promise<Page<AuditRow>> {
  requireActor(ctx);
  const [rows, [count]] = await Promise.all([
    auditPageQuery(ctx, input),
    ctx.db
      .select({ n: countAll })
      .from(auditLog)
      .where(and(...conditionsOf(input.filter))),
  ]);
  return { ...finishPage(AUDIT_KEYSET, input, rows), total: count?.n ?? 0 };
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
