import type { Logger } from "pino";
import { isTransientError } from "@/server/domain/db-errors";

export interface RetryOptions {
  log: Logger;
  /** First wait after a transient failure; doubled each time up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Stops retrying (the last error is thrown) once this is aborted: the process is shutting down. */
  signal?: AbortSignal;
  /** What is being applied, for the log. */
  what?: Record<string, unknown>;
}

/** Thrown when a transient failure could not be retried because the controller is closing. */
export class RetryAbortedError extends Error {
  constructor(readonly lastError: unknown) {
    super("gave up retrying: shutting down", { cause: lastError });
    this.name = "RetryAbortedError";
  }
}

/**
 * Applies one agent event until it is applied. A transient failure (database or Redis unreachable, a
 * broken connection, a deadlock or lock wait timeout) is retried here, in place, with exponential
 * backoff (250 ms doubling to 10 s): the caller chains events per instance, so waiting here keeps the
 * instance's later events behind this one, in order. Anything else (a refusal, a constraint, a bug) is
 * permanent: logged and dropped, since applying the same event again would fail the same way and
 * block every later event about the same thing. When `signal` aborts (shutdown) the last transient
 * error is thrown, so the queue's own attempts take the event up again in the next process.
 */
export async function applyWithRetry(apply: () => Promise<void>, opts: RetryOptions): Promise<void> {
  const initial = opts.initialDelayMs ?? 250;
  const max = opts.maxDelayMs ?? 10_000;
  for (let attempt = 1, delay = initial; ; attempt++, delay = Math.min(delay * 2, max)) {
    try {
      await apply();
      if (attempt > 1)
        opts.log.info({ ...opts.what, attempts: attempt }, "agent event applied after retrying");
      return;
    } catch (err) {
      if (!isTransientError(err)) {
        opts.log.error({ ...opts.what, err }, "dropped an agent event that cannot be applied");
        return;
      }
      if (opts.signal?.aborted) throw new RetryAbortedError(err);
      if (attempt === 1 || attempt % 10 === 0)
        opts.log.warn(
          { ...opts.what, attempt, retryInMs: delay, err: (err as Error).message },
          "could not apply an agent event yet; retrying",
        );
      await sleep(delay, opts.signal);
    }
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
