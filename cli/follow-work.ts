// `--wait`: long work answers 202 with a Location; this polls it until the work settles, telling the
// person how far it got on stderr. An instance has settled when its `task` is null and its state is not
// one that changes by itself; a task when it succeeded or failed. Gone (404) after a delete is done.
import { ApiError, CliError, EXIT } from "./exit-codes";
import type { ApiClient } from "./api-client";

/** States that move on by themselves (common/instance-states.ts TRANSITIONAL_STATES, kept in step by a test). */
export const MOVING_STATES = ["PENDING", "SCHEDULED", "BUILDING", "STOPPING", "DELETING"];

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Where progress goes (stderr); null for none. */
  progress: ((line: string) => void) | null;
}

type Obj = Record<string, unknown>;

export function instanceSettled(view: Obj): boolean {
  return view.task === null && !MOVING_STATES.includes(String(view.state));
}

function describeInstance(view: Obj): string {
  const parts = [`${String(view.name ?? view.id)}: ${String(view.state)}`];
  if (view.task)
    parts.push(`${String(view.task)}${typeof view.progress === "number" ? ` ${view.progress}%` : ""}`);
  return parts.join(", ");
}

function describeTask(task: Obj): string {
  const pct = typeof task.percent === "number" ? ` ${task.percent}%` : "";
  return `task ${String(task.id ?? "")}: ${String(task.state)}${pct}${task.message ? ` ${JSON.stringify(task.message)}` : ""}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `location` until the work settles; returns the last view (null when the instance is gone).
 * Throws CliError(EXIT.failed) when it ends in an error, and on timeout.
 */
export async function waitForWork(
  client: ApiClient,
  location: string,
  kind: "instance" | "task",
  opts: WaitOptions,
): Promise<Obj | null> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = "";
  for (;;) {
    let view: Obj;
    try {
      view = (await client.get(location)).body as Obj;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && kind === "instance") {
        opts.progress?.("deleted");
        return null;
      }
      throw err;
    }
    const line = kind === "instance" ? describeInstance(view) : describeTask(view);
    if (line !== last) opts.progress?.(line);
    last = line;
    if (kind === "instance" && instanceSettled(view)) {
      if (view.state === "ERROR")
        throw new CliError(
          `${String(view.name ?? view.id)} ended in ERROR${view.errorReason ? `: ${String(view.errorReason)}` : "."}`,
          EXIT.failed,
        );
      return view;
    }
    if (kind === "task" && (view.state === "succeeded" || view.state === "failed")) {
      if (view.state === "failed")
        throw new CliError(`The task failed${view.error ? `: ${String(view.error)}` : "."}`, EXIT.failed);
      return view;
    }
    if (Date.now() > deadline)
      throw new CliError(
        `Still not done after ${Math.round(opts.timeoutMs / 1000)} s (${line}); it goes on in the portal.`,
        EXIT.failed,
      );
    await sleep(opts.intervalMs);
  }
}
