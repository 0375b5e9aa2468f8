import { checkHealth } from "@/server/domain/health/check-health";
import { defineHandler } from "./handler";

/**
 * Public liveness for load balancers and monitors: overall status and which service is down, no
 * versions or counts. 503 when the database is unreachable (the portal cannot serve anyone).
 */
export const liveness = defineHandler({
  resource: "health",
  action: "live",
  credentials: "none",
  headers: { "cache-control": "no-store" },
  async handle({ services }) {
    const report = await checkHealth({
      db: services.db,
      redis: services.redis,
      queue: services.systemQueue,
      hostDownAfterSeconds: services.settings.hostDownAfterSeconds,
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
    return Response.json(body, { status: report.status === "down" ? 503 : 200 });
  },
});
