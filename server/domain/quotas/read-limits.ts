// Which limits apply: a user's own row, else their role's default; a group's own row. The tighter wins.
import { and, eq, inArray, or } from "drizzle-orm";
import { QUOTA_KEYS, type QuotaKey, type QuotaLimits } from "@/common/quotas";
import type { AccountRole } from "@/common/roles";
import { quotaLimits, type QuotaLimitRow } from "@/db/schema";
import type { Database } from "@/server/db/client";

type Reader = Pick<Database, "select">;

export function limitsOfRow(row: QuotaLimitRow | undefined): QuotaLimits {
  const out: QuotaLimits = {};
  if (!row) return out;
  for (const k of QUOTA_KEYS) if (row[k] !== null) out[k] = row[k];
  return out;
}

/** A user's limits: their own row where it sets a key, their role's default for the keys it leaves. */
export async function readUserLimits(
  db: Reader,
  user: { id: number; role: AccountRole },
): Promise<{ limits: QuotaLimits; source: Partial<Record<QuotaKey, "user" | "role">> }> {
  const rows = await db
    .select()
    .from(quotaLimits)
    .where(
      or(
        and(eq(quotaLimits.subject, "user"), eq(quotaLimits.subjectId, String(user.id))),
        and(eq(quotaLimits.subject, "role"), eq(quotaLimits.subjectId, user.role)),
      ),
    );
  const own = limitsOfRow(rows.find((r) => r.subject === "user"));
  const role = limitsOfRow(rows.find((r) => r.subject === "role"));
  const limits: QuotaLimits = {};
  const source: Partial<Record<QuotaKey, "user" | "role">> = {};
  for (const k of QUOTA_KEYS) {
    if (own[k] !== undefined) [limits[k], source[k]] = [own[k], "user"];
    else if (role[k] !== undefined) [limits[k], source[k]] = [role[k], "role"];
  }
  return { limits, source };
}

export async function readGroupLimits(db: Reader, groupIds: number[]): Promise<Map<number, QuotaLimits>> {
  if (!groupIds.length) return new Map();
  const rows = await db
    .select()
    .from(quotaLimits)
    .where(and(eq(quotaLimits.subject, "group"), inArray(quotaLimits.subjectId, groupIds.map(String))));
  return new Map(groupIds.map((g) => [g, limitsOfRow(rows.find((r) => r.subjectId === String(g)))]));
}
