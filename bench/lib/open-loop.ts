// An open-loop load generator: requests start on a fixed schedule (`rate` a second) whether or not the
// previous ones have answered, as independent clients do. A closed loop (send, wait, send) slows down with
// the server and hides exactly the queueing a slow server causes; here each latency is measured from the
// moment the request was due, so a late start (a busy event loop) counts against the request too.
// Bounded: at most `maxInFlight` requests at once (a due request beyond that is dropped and counted), each
// one given `timeoutMs`, and the whole phase ends `timeoutMs` after the last request was due.
import { performance } from "node:perf_hooks";

export interface OpenLoopResult {
  /** Latency of each request that succeeded, in ms from when it was due. */
  latencies: number[];
  /** Bytes each successful request returned (0 where the step does not know). */
  sizes: number[];
  /** Requests that failed (an error, a wrong answer, a timeout). */
  errors: number;
  /** Requests not sent because `maxInFlight` were still waiting. */
  dropped: number;
  /** Requests due in the phase. */
  due: number;
  /** From the first request due to the last answer. */
  wallMs: number;
  /** The first few failures' messages, to say what went wrong. */
  failures: string[];
}

export interface OpenLoopOptions {
  rate: number;
  seconds: number;
  maxInFlight: number;
  timeoutMs: number;
}

const sleep = (msDelay: number) => new Promise((r) => setTimeout(r, Math.max(0, msDelay)));

/** Runs `request(i)` for i = 0, 1, … at `rate` a second for `seconds`; it returns the answer's size. */
export async function runOpenLoop(
  opts: OpenLoopOptions,
  request: (i: number, signal: AbortSignal) => Promise<number>,
): Promise<OpenLoopResult> {
  const result: OpenLoopResult = {
    latencies: [],
    sizes: [],
    errors: 0,
    dropped: 0,
    due: 0,
    wallMs: 0,
    failures: [],
  };
  const count = Math.round(opts.rate * opts.seconds);
  const interval = 1000 / opts.rate;
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const dueAt = t0 + i * interval;
    await sleep(dueAt - performance.now());
    result.due++;
    if (inFlight.size >= opts.maxInFlight) {
      result.dropped++;
      continue;
    }
    const signal = AbortSignal.timeout(opts.timeoutMs);
    // Raced against the timeout too, so a step that cannot be aborted (a pool query) still ends the phase.
    const timedOut = new Promise<never>((_resolve, reject) =>
      signal.addEventListener("abort", () => reject(new Error(`no answer within ${opts.timeoutMs} ms`)), {
        once: true,
      }),
    );
    const one = Promise.race([request(i, signal), timedOut])
      .then(
        (bytes) => {
          result.latencies.push(performance.now() - dueAt);
          result.sizes.push(bytes);
        },
        (err: unknown) => {
          result.errors++;
          if (result.failures.length < 5) result.failures.push((err as Error).message ?? String(err));
        },
      )
      .finally(() => inFlight.delete(one));
    inFlight.add(one);
  }
  // Every request has its own timeout, so this ends at most timeoutMs after the last one was due.
  await Promise.all(inFlight);
  result.wallMs = performance.now() - t0;
  return result;
}
