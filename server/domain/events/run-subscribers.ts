// How a hook's subscribers run (instance states, membership changes): each one, even after another has
// failed, because the change they react to is already written and every area must hear of it; the
// failures are raised together afterwards so the caller still learns of them.

/** Calls `run` for each subscriber in order; one failure is rethrown as is, several as an AggregateError. */
export async function runSubscribers<S>(
  subscribers: readonly S[],
  run: (subscriber: S) => Promise<void>,
  what: string,
): Promise<void> {
  const failures: unknown[] = [];
  for (const s of subscribers) {
    try {
      await run(s);
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1)
    throw new AggregateError(failures, `${failures.length} subscribers of ${what} failed`);
}
