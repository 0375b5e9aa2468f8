// Starting a VM's QEMU without QEMU's own -daemonize: the agent detaches it instead. -daemonize forks
// (and calls setsid) after QEMU has installed its seccomp filter, so it cannot be combined with
// `-sandbox …,spawn=deny`; started detached by the agent (its own session, stdio on a log file),
// QEMU never needs to fork, exec or change its session itself.
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import {
  buildQemuLaunchArgv,
  DEFAULT_GUEST_NICENESS,
  QemuStartError,
  type QemuLaunchUser,
} from "./spawn-qemu";
import type { GuestCpuGroup } from "./guest-cpu-group";
import { readPidfile } from "./vm-process";

export interface DetachedQemuOptions {
  /** QEMU's stdout and stderr go here (appended): its own messages after the agent has stopped listening. */
  logFile: string;
  /** Ready = QEMU wrote this pidfile … */
  pidfile: string;
  /** … and created this (QMP) socket, which it does only once its whole configuration was accepted. */
  readySocket: string;
  timeoutMs?: number;
  niceness?: number;
  netns?: string;
  /** Run QEMU as this user from its first instruction (setpriv); unset: as the agent (root). */
  user?: QemuLaunchUser;
  /** Added to the agent's environment for QEMU (a local display's DISPLAY and friends). */
  env?: Record<string, string>;
  /** The guests' shared CPU group (guest-cpu-group.ts): QEMU is moved there as soon as it exists. */
  cpuGroup?: GuestCpuGroup;
}

/**
 * Runs `binary args` detached from the agent (its own process group and session, no pipe to the agent,
 * so it outlives the agent) and resolves once QEMU is up: its pidfile names a pid and its QMP socket
 * exists. If QEMU exits first, rejects with what it wrote to the log (its configuration error).
 */
export async function spawnDetachedQemu(
  binary: string,
  args: string[],
  opts: DetachedQemuOptions,
): Promise<void> {
  if (args.includes("-daemonize"))
    throw new Error("spawnDetachedQemu detaches QEMU itself: leave -daemonize out of the arguments");
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // Never through a symlink: the log is the agent's (root's) file, QEMU only gets the descriptor.
  const log = await open(
    opts.logFile,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
    0o600,
  );
  const logStart = (await log.stat()).size;
  const [command, ...argv] = buildQemuLaunchArgv(binary, args, {
    niceness: opts.niceness ?? DEFAULT_GUEST_NICENESS,
    netns: opts.netns,
    user: opts.user,
  });
  const readLog = async () =>
    (await readFile(opts.logFile, "utf8").catch(() => "")).slice(logStart).trim().slice(-4000);
  try {
    const child = spawn(command as string, argv, {
      stdio: ["ignore", log.fd, log.fd],
      detached: true,
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
    });
    child.unref();
    // Before it has booted anything: every step of the exec chain keeps this pid, so QEMU and the
    // threads it makes later are in the group.
    if (child.pid !== undefined) await opts.cpuGroup?.place(child.pid);
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let spawnError: NodeJS.ErrnoException | null = null;
    child.once("exit", (code, signal) => (exited = { code, signal }));
    child.once("error", (error: NodeJS.ErrnoException) => (spawnError = error));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (spawnError) {
        const e = spawnError as NodeJS.ErrnoException;
        const hint =
          e.code === "ENOENT" ? ` (${binary} is not installed: apt-get install -y qemu-system-x86)` : "";
        throw new QemuStartError(`cannot run ${binary}: ${e.message}${hint}`, "");
      }
      if (exited) {
        const out = await readLog();
        const { code, signal } = exited;
        if (code === 127 && /No such file/.test(out))
          throw new QemuStartError(
            `cannot run ${binary} (not installed: apt-get install -y qemu-system-x86)`,
            out,
          );
        const detail = out || (signal ? `killed by ${signal}` : `exit code ${code}`);
        throw new QemuStartError(`QEMU failed to start: ${detail}`, out);
      }
      const pid = await readPidfile(opts.pidfile);
      if (pid !== null && (await stat(opts.readySocket).catch(() => null))?.isSocket()) return;
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new QemuStartError(`QEMU did not finish starting within ${timeoutMs} ms`, await readLog());
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await log.close();
  }
}
