import { UnrecoverableError } from "bullmq";
import { ZodError } from "zod";
import { PermanentJobError } from "../permanent-job-error";

/**
 * What the worker throws for a failed job: bad payloads and refusals (a wrong checksum, a hypervisor
 * this host does not offer) will not get better by retrying, so BullMQ must not retry them.
 */
export function toWorkerError(err: unknown): unknown {
  if (err instanceof PermanentJobError || err instanceof ZodError)
    // The code rides along so the failure report can name the reason in the reader's language.
    return Object.assign(new UnrecoverableError((err as Error).message), {
      agentMessage: err instanceof PermanentJobError ? err.agentMessage : undefined,
    });
  return err;
}
