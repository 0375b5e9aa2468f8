import { parseJob, type JobName } from "../../protocol/index";
import { handleCreateInstance } from "./create-instance";
import type { JobContext } from "./job-context";
import { handleDeleteInstance, handleRebootInstance, handleStartInstance, handleStopInstance } from "./power-actions";

/** Parses the payload with the shared schema, then runs the handler for the job's name. */
export async function handleJob(ctx: JobContext, name: string, data: unknown): Promise<void> {
  switch (name as JobName) {
    case "instance.create": return handleCreateInstance(ctx, parseJob("instance.create", data));
    case "instance.start": return handleStartInstance(ctx, parseJob("instance.start", data).instanceId);
    case "instance.stop": {
      const j = parseJob("instance.stop", data);
      return handleStopInstance(ctx, j.instanceId, j.timeoutMs);
    }
    case "instance.reboot": return handleRebootInstance(ctx, parseJob("instance.reboot", data).instanceId);
    case "instance.delete": return handleDeleteInstance(ctx, parseJob("instance.delete", data).instanceId);
    default: throw new Error(`This agent does not know the job “${name}”.`);
  }
}
