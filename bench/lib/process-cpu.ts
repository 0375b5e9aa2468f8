// CPU time used so far by every process of one process group (the portal started detached: npx, tsx and
// node share its group), from /proc. On a machine shared with other work, latency says how long a request
// waited; CPU time per request says what it cost, whatever the machine was doing meanwhile.
import { readdir, readFile } from "node:fs/promises";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU milliseconds of the processes in process group `pgid` (0 where /proc is absent). */
export async function groupCpuMs(pgid: number): Promise<number> {
  let ticks = 0;
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // The command name may hold spaces and parentheses: the fields start after its last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue; // pgrp
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
