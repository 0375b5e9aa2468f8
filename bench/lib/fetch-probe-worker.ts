// The fetching side of bench/fetch-probe.ts, in a thread of its own (see fetch-worker.ts for why).
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { runProbeVariant, type ProbeVariant } from "./fetch-probe-variants";

type Ask = { variant: ProbeVariant; url: string; dest: string; bytes: number; sha256: string };
// `answer` reports its own failures, so nothing is left to reject unseen.
parentPort!.on("message", (m: Ask) => void answer(m));

async function answer(m: Ask): Promise<void> {
  const t = performance.now();
  const before = process.resourceUsage();
  try {
    await runProbeVariant(m.variant, m.url, m.dest, m.bytes, m.sha256);
    const after = process.resourceUsage();
    parentPort!.postMessage({
      seconds: (performance.now() - t) / 1000,
      // Process-wide (the serving thread included, which does the same for every variant).
      minorFaults: after.minorPageFault - before.minorPageFault,
      cpuSeconds: (after.userCPUTime + after.systemCPUTime - before.userCPUTime - before.systemCPUTime) / 1e6,
    });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  }
}
