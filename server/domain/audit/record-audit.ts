import { auditLog } from "@/db/schema";
import type { Database } from "@/server/db/client";

export interface AuditEntry {
  actorId: number | null;
  actorName: string;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  result: "success" | "failure";
  errorCode?: string | null;
  detail?: Record<string, unknown> | null;
  ip: string | null;
}

const SECRET_KEY = /pass(word)?|secret|token|ticket|hash/i;

/** Drops secrets from what a caller sent before it is kept forever in the audit log. */
export function redactDetail(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactDetail(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEY.test(k) ? "[redacted]" : redactDetail(v, depth + 1);
  return out;
}

export async function recordAudit(db: Database, e: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorId: e.actorId,
    actorName: e.actorName,
    action: e.action,
    targetType: e.targetType ?? null,
    targetId: e.targetId ?? null,
    result: e.result,
    errorCode: e.errorCode ?? null,
    detail: (e.detail ? redactDetail(e.detail) : null) as Record<string, unknown> | null,
    sourceIp: e.ip,
  });
}
