// Task states and the list's input: client-safe, the Tasks page filters by them too.
import { z } from "zod";
import { pageInput, searchText } from "./paging";

export const TASK_STATES = ["queued", "running", "succeeded", "failed"] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Sorts an index serves (migration 0019); the id breaks ties. */
export const TASK_SORTS = ["createdAt"] as const;
export const listTasksInput = pageInput(TASK_SORTS, { sort: "createdAt", order: "desc" })
  .extend({
    state: z.enum(TASK_STATES).optional(),
    /** e.g. "image.import"; exact. */
    kind: z.string().trim().max(32).optional(),
    /** Part of the target's name. */
    search: searchText,
  })
  .prefault({});
export type ListTasksInput = z.output<typeof listTasksInput>;

export const taskIdInput = z.object({ id: z.uuid() });
