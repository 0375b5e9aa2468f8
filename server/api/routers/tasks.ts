import { z } from "zod";
import { listTasks } from "@/server/domain/tasks/manage-tasks";
import { createTRPCRouter, procedureFor } from "../trpc";

export const tasksRouter = createTRPCRouter({
  list: procedureFor("tasks", "list")
    .input(z.object({ limit: z.number().int().min(1).max(500).optional() }).optional())
    .query(({ ctx, input }) => listTasks(ctx, input ?? {})),
});
