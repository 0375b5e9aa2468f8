import { checkHealth } from "@/server/domain/health/check-health";
import { getSystemQueue } from "@/server/queue";
import { createTRPCRouter, procedureFor } from "../trpc";

export const healthRouter = createTRPCRouter({
  status: procedureFor("health", "read").query(({ ctx }) =>
    checkHealth({
      db: ctx.db,
      redis: ctx.redis,
      queue: getSystemQueue(),
      hostDownAfterSeconds: ctx.settings.hostDownAfterSeconds,
    }),
  ),
});
