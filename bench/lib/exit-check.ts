// A benchmark must end by itself once it has cleaned up: an open Redis connection, pool, server, socket
// or timer left behind keeps Node alive, and an unattended run (CI, a script running all three) then
// hangs until someone kills it. Forcing process.exit() would hide such a leak, so instead:
//  - expectExit() arms an unref'd timer after clean-up: if the process is still alive when it fires,
//    something was left open; it names what (and, with BENCH_TRACE_HANDLES=1, where it was created)
//    and ends the run with a failure code, so the leak is reported rather than waited on.
//  - BENCH_TRACE_HANDLES=1 records a creation stack for every async resource (slow: for diagnosis only,
//    never while measuring figures that matter).
import { createHook } from "node:async_hooks";

// Resource types that do not keep the event loop alive on their own.
const BENIGN = new Set(["PROMISE", "TickObject", "Microtask", "Immediate", "PerformanceObserver"]);
// Handles that do (one-shot requests such as file reads or crypto jobs end by themselves).
const HANDLES = new Set([
  "Timeout",
  "TCPWRAP",
  "TCPSERVERWRAP",
  "PIPEWRAP",
  "PIPESERVERWRAP",
  "PROCESSWRAP",
  "UDPWRAP",
  "SIGNALWRAP",
  "FSEVENTWRAP",
  "STATWATCHER",
  "MESSAGEPORT",
  "WORKER",
]);

const created = new Map<number, { type: string; stack: string; resource: object }>();
const tracing = process.env.BENCH_TRACE_HANDLES === "1";
if (tracing) {
  createHook({
    init(id, type, _trigger, resource) {
      if (!HANDLES.has(type)) return;
      const stack = (new Error().stack ?? "")
        .split("\n")
        .slice(2)
        .filter((l) => !l.includes("node:internal") && !l.includes("exit-check"))
        .slice(0, 8)
        .join("\n");
      created.set(id, { type, stack, resource });
    },
    destroy(id) {
      created.delete(id);
    },
  }).enable();
}

/** What keeps the event loop alive right now, by type (Node's own view). */
export function openHandles(): string[] {
  return process.getActiveResourcesInfo().filter((t) => !BENIGN.has(t));
}

/**
 * Call once everything is cleaned up. If the process has not exited `graceMs` later, reports what is
 * still open on stderr and sets a failure exit code, then exits (the only process.exit here: the leak
 * has been reported and the run must not hang).
 */
export function expectExit(note: (line: string) => void, graceMs = 10_000): void {
  const timer = setTimeout(() => {
    note(`still running ${graceMs / 1000} s after clean-up; open: ${openHandles().join(", ") || "(none)"}`);
    if (tracing) {
      for (const { type, stack, resource } of created.values()) {
        const ref = (resource as { hasRef?: () => boolean }).hasRef;
        if (typeof ref === "function" && !ref.call(resource)) continue;
        note(`  ${type} created at\n${stack}`);
      }
    } else note("  (run again with BENCH_TRACE_HANDLES=1 to see where each was created)");
    process.exit(process.exitCode || 3);
  }, graceMs);
  timer.unref();
}
