import { listTasks } from "@/server/domain/tasks/manage-tasks";
import { listTasksInput } from "@/server/domain/tasks/schemas";
import { createTRPCRouter, procedureFor } from "../trpc";

export const tasksRouter = createTRPCRouter({
  list: procedureFor("tasks", "list")
    .input(listTasksInput)
    .query(({ ctx, input }) => listTasks(ctx, input)),
});
