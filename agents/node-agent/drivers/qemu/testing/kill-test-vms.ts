import { readdir, readFile } from "node:fs/promises";

/**
 * Test clean-up: SIGKILLs every process whose command line mentions `dir` (each QEMU a test started
 * names files under its temp state dir), pidfile or not. Returns the pids it killed.
 */
export async function killProcessesUnder(dir: string): Promise<number[]> {
  const killed: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.includes(dir)) continue;
    try {
      process.kill(Number(entry), "SIGKILL");
      killed.push(Number(entry));
    } catch {
      // already gone
    }
  }
  return killed;
}
