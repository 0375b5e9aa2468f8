import { getTask, listTasks } from "@/server/domain/tasks/manage-tasks";
import { listTasksInput, taskIdInput } from "@/server/domain/tasks/schemas";
import { createTRPCRouter, procedureFor } from "../trpc";

export const tasksRouter = createTRPCRouter({
  list: procedureFor("tasks", "list")
    .input(listTasksInput)
    .query(({ ctx, input }) => listTasks(ctx, input)),
  get: procedureFor("tasks", "read")
    .input(taskIdInput)
    .query(({ ctx, input }) => getTask(ctx, input.id)),
});
