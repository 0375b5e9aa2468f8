// What a host says about itself decides where VMs (and their consoles) go: a host claiming a huge machine
// would attract every new instance. Facts outside what any real host has are refused, not believed.
import type { HostFacts } from "@/agents/protocol";
import { msg, type Message } from "@/common/message";

const TIB = 1024 ** 4;

/** Generous upper limits: far above any server a school runs, far below what would skew placement. */
export const FACT_BOUNDS = {
  cpuCount: 1024,
  /** 64 TiB of RAM. */
  memoryMiB: 64 * 1024 * 1024,
  /** 1 PiB of disk. */
  diskBytes: 1024 * TIB,
} as const;

/** Why these facts are implausible (the first problem found), or null when they may be believed. */
export function implausibleFacts(f: HostFacts): Message | null {
  const checks: [field: string, value: number, max: number][] = [
    ["cpuCount", f.cpuCount, FACT_BOUNDS.cpuCount],
    ["memoryMiB", f.memoryMiB, FACT_BOUNDS.memoryMiB],
    ["diskFreeBytes", f.diskFreeBytes, FACT_BOUNDS.diskBytes],
    ["diskTotalBytes", f.diskTotalBytes, FACT_BOUNDS.diskBytes],
  ];
  for (const [field, value, max] of checks) {
    // The wire schema already wants integers ≥ 0/1; a number that is not finite or below zero still
    // must never reach a capacity sum, whichever way it arrived.
    if (!Number.isFinite(value) || value < 0 || value > max)
      return msg("hosts.implausibleFact", { field, value: String(value), max: String(max) });
  }
  if (f.diskTotalBytes > 0 && f.diskFreeBytes > f.diskTotalBytes)
    return msg("hosts.implausibleDisk", {
      free: String(f.diskFreeBytes),
      total: String(f.diskTotalBytes),
    });
  return null;
}
