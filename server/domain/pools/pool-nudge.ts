// The controller runs on a short interval in the portal's background worker; a change that makes work
// (a pool started, a desktop released, failed or stopped) nudges it to run now. The worker registers the
// nudge; elsewhere (tests, scripts) nudging does nothing.
let nudge: (() => void) | null = null;

export function setPoolNudge(fn: (() => void) | null): void {
  nudge = fn;
}

export function nudgePools(): void {
  nudge?.();
}
