// Jobs' progress reports go out at most about once a second: each one is an event (and often a row the
// portal keeps), and a fast download or copy calls back far more often than anybody can watch.

export interface ThrottleOptions {
  /** Default 1000. */
  minIntervalMs?: number;
  /** Drop calls during the first interval too, so work that is done within it sends nothing. */
  quietStart?: boolean;
}

/**
 * Wraps `report` so it runs at most once per interval; calls in between are dropped, not queued
 * (progress is a level: the next report carries the news). Reports are best effort: a rejected one is
 * ignored, it must not fail the job.
 */
export function throttleReports<A extends unknown[]>(
  report: (...args: A) => unknown,
  opts: ThrottleOptions = {},
): (...args: A) => void {
  const minIntervalMs = opts.minIntervalMs ?? 1000;
  let last = opts.quietStart ? Date.now() : -Infinity;
  return (...args: A) => {
    const now = Date.now();
    if (now - last < minIntervalMs) return;
    last = now;
    try {
      void Promise.resolve(report(...args)).catch(() => undefined);
    } catch {
      // A report that throws at once is dropped too: it must not fail the download that called us.
    }
  };
}
