import { UnrecoverableError } from "bullmq";
import { ZodError } from "zod";
import { PermanentJobError } from "../permanent-job-error";

/**
 * What the worker throws for a failed job: bad payloads and refusals (a wrong checksum, a hypervisor
 * this host does not offer) will not get better by retrying, so BullMQ must not retry them.
 */
export function toWorkerError(err: unknown): unknown {
  if (err instanceof PermanentJobError || err instanceof ZodError)
    return new UnrecoverableError((err as Error).message);
  return err;
}
