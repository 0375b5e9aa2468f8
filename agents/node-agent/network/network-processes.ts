import { readdir, readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseProcStatState, signalProcess } from "../host-processes";

/**
 * dnsmasq processes whose command line names a file under `dir` (their conf file: see
 * build-dnsmasq-config.ts). Found through /proc rather than pid files, so one whose pid file is gone
 * is still found; zombies (dead, not yet reaped) do not count.
 */
export async function findDnsmasqUnder(dir: string): Promise<number[]> {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const [cmdline, stat] = await Promise.all([
      readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => ""),
      readFile(`/proc/${entry}/stat`, "utf8").catch(() => ""),
    ]);
    const argv = cmdline.split("\0");
    if (basename(argv[0] ?? "") !== "dnsmasq" || !argv.some((a) => a.includes(prefix))) continue;
    const state = parseProcStatState(stat);
    if (state && state !== "Z" && state !== "X") pids.push(Number(entry));
  }
  return pids;
}

async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  const state = stat === null ? null : parseProcStatState(stat);
  return state !== null && state !== "Z" && state !== "X";
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs = 3_000): Promise<void> {
  signalProcess(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (await isAlive(pid)) {
    if (Date.now() > deadline) {
      signalProcess(pid, "SIGKILL");
      await new Promise((r) => setTimeout(r, 100));
      if (!(await isAlive(pid))) return;
      throw new Error(`process ${pid} did not exit after SIGKILL`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
