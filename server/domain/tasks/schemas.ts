// The schemas live in common/ because the browser reads them too.
export { listTasksInput, taskIdInput, type ListTasksInput } from "@/common/tasks";
