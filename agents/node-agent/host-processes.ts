// Reading and signalling host processes through /proc: shared by the drivers (their VM processes) and
// the network layer (dnsmasq).

/** The state letter of /proc/<pid>/stat ("R", "S", "Z", ...); the comm field may contain spaces or ')'. */
export function parseProcStatState(stat: string): string | null {
  const close = stat.lastIndexOf(")");
  if (close < 0) return null;
  return stat.slice(close + 2, close + 3) || null;
}

/** Sends a signal; a process that is already gone is not an error. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
