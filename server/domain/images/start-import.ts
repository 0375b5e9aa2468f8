// A completed upload becomes a background task: the uploader gets the task id at once and follows the
// conversion on the Tasks page (or in the upload dialog).
import type { Database } from "@/server/db/client";
import { DomainError, messageOf } from "../errors";
import { createTask, throttledTaskProgress, updateTask } from "../tasks/manage-tasks";
import { importImage, type ImportImageInput } from "./import-image";
import { msg } from "@/common/message";

export interface ImportTaskDeps {
  db: Database;
  storeDir: string;
  maxBytes: number;
  convertTimeoutSeconds: number;
  maxVirtualBytes?: number;
  onError?: (err: unknown) => void;
}

/** Starts the import and returns the task id and a promise of its end (tests wait on it; the portal does not). */
export async function startImageImport(
  deps: ImportTaskDeps,
  input: ImportImageInput,
): Promise<{ taskId: string; done: Promise<void> }> {
  const taskId = await createTask(deps.db, {
    kind: "image.import",
    targetType: "image",
    targetId: null,
    targetName: input.name,
    createdBy: input.ownerId,
    message: msg("tasks.waitingToStart"),
  });
  const progress = throttledTaskProgress(deps.db, taskId);
  const done = (async () => {
    await updateTask(deps.db, taskId, { state: "running", message: msg("tasks.checkingImage") });
    try {
      const image = await importImage({ ...deps, onProgress: (p, m) => progress(p, m) }, input);
      await updateTask(deps.db, taskId, {
        state: "succeeded",
        targetId: image.id,
        message: msg("tasks.storedAs", { format: image.format, version: image.version }),
      });
    } catch (err) {
      const reason = err instanceof DomainError ? messageOf(err) : msg("tasks.importServerProblem");
      if (!(err instanceof DomainError)) deps.onError?.(err);
      await updateTask(deps.db, taskId, { state: "failed", error: reason, message: null }).catch(
        () => undefined,
      );
    }
  })();
  return { taskId, done };
}
