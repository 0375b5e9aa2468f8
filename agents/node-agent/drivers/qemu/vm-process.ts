import { readFile } from "node:fs/promises";
import { parseProcStatState } from "../../host-processes";

/** The pid QEMU wrote with -pidfile, or null when there is none or it is garbage. */
export async function readPidfile(path: string): Promise<number | null> {
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return null;
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 1 ? pid : null;
}

/** /proc/<pid>/cmdline is NUL-separated argv; ours names files inside the VM's run directory. */
export function cmdlineBelongsToRunDir(cmdline: string, runDir: string): boolean {
  const dir = runDir.endsWith("/") ? runDir : `${runDir}/`;
  // Match whole path components: ".../vms/ab/" must not match ".../vms/abc/".
  return cmdline.split("\0").some((arg) => arg.includes(dir));
}

/**
 * True only when `pid` is a live (not zombie) process whose command line points into `runDir`:
 * after a crash and a host reboot the pid in a stale pidfile may belong to anything else.
 */
export async function isVmProcessAlive(pid: number, runDir: string): Promise<boolean> {
  const [stat, cmdline] = await Promise.all([
    readFile(`/proc/${pid}/stat`, "utf8").catch(() => null),
    readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => null),
  ]);
  if (stat === null || cmdline === null) return false;
  // A daemonised QEMU is reparented to PID 1; where that does not reap, the dead VM is a zombie.
  const state = parseProcStatState(stat);
  if (state === "Z" || state === "X") return false;
  return cmdlineBelongsToRunDir(cmdline, runDir);
}

/** Polls until the process is gone (true) or timeoutMs passes (false). */
export async function waitForVmProcessExit(
  pid: number,
  runDir: string,
  timeoutMs: number,
  pollMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await isVmProcessAlive(pid, runDir))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
