// What a flood of visits to the launcher may cost (issue 14's review: every page view asked the portal,
// every sign-in was forwarded, and nothing bounded either). Anyone at the PC — or any web page its browser
// opens, which may send requests to 127.0.0.1 without reading the answers — can send as many requests as
// they like; these bound the work that causes here, on the portal and on the PC's own screen.

/** Tokens refill continuously at `perSecond` up to `burst`; each call takes one or is refused. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) / 1000) * this.perSecond);
    this.at = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * One answer for everyone asking at once and for `freshMs` after: a page reloaded in a loop costs the
 * portal one request per period, not one per view.
 */
export function sharedFor<T>(fetch: () => Promise<T>, freshMs: number, now: () => number = Date.now) {
  // A failure is kept as long as an answer: a portal that refuses or is down is not asked per view either.
  let last: { outcome: Promise<T>; at: number } | null = null;
  let pending: Promise<T> | null = null;
  return (): Promise<T> => {
    if (last && now() - last.at < freshMs) return last.outcome;
    if (!pending) {
      const run = fetch();
      pending = run;
      run
        .catch(() => undefined)
        .finally(() => {
          last = { outcome: run, at: now() };
          pending = null;
        });
    }
    return pending;
  };
}

/** The launcher's limits; tests pass smaller ones. */
export interface LauncherLimits {
  /** Requests being answered at once; more get 503 at once. */
  maxConcurrent: number;
  /** Requests per second (and the burst) for the whole launcher; more get 429. */
  requestsPerSecond: number;
  requestBurst: number;
  /** Sign-ins forwarded to the portal: a burst, then one per `signInEverySeconds`. */
  signInBurst: number;
  signInEverySeconds: number;
  /** How long the portal's list of public profiles is reused. */
  profilesFreshMs: number;
}

export const DEFAULT_LAUNCHER_LIMITS: LauncherLimits = {
  maxConcurrent: 16,
  requestsPerSecond: 20,
  requestBurst: 60,
  signInBurst: 5,
  signInEverySeconds: 12,
  profilesFreshMs: 5_000,
};
