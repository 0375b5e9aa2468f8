import { db } from "@/server/db";
import { checkHealth } from "@/server/domain/health/check-health";
import { getSystemQueue, redis } from "@/server/queue";
import { settings } from "@/server/settings";

export const dynamic = "force-dynamic";

/**
 * Public liveness for load balancers and monitors: overall status and which service is down, no
 * versions or counts. 503 when the database is unreachable (the portal cannot serve anyone).
 */
export async function GET() {
  const report = await checkHealth({
    db,
    redis,
    queue: getSystemQueue(),
    hostDownAfterSeconds: settings.hostDownAfterSeconds,
  });
  const body = {
    status: report.status,
    checkedAt: report.checkedAt.toISOString(),
    services: Object.fromEntries(report.checks.map((c) => [c.name, c.ok ? "up" : "down"])),
    message:
      report.status === "down"
        ? "The database is unavailable. eduCloud will recover by itself when it returns."
        : report.status === "degraded"
          ? "Some services are unavailable."
          : "All services are up.",
  };
  return Response.json(body, {
    status: report.status === "down" ? 503 : 200,
    headers: { "cache-control": "no-store" },
  });
}
