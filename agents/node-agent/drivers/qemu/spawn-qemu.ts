import { spawn } from "node:child_process";

export class QemuStartError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "QemuStartError";
  }
}

/**
 * Runs QEMU with `-daemonize` (which the args must contain) and resolves once the foreground QEMU
 * has exited 0: by then the VM process has forked away, written its pidfile and opened its sockets.
 * QEMU reports configuration errors on stderr before it forks, so stderr is collected and becomes
 * the error message. No shell is involved: argv goes to execve as is.
 */
/**
 * Guests run a little below the management plane (nice 5 by default, like libvirt's machine.slice
 * with less CPU weight): on a host saturated by booting guests the agent, the portal and MySQL still
 * answer, and the guests lose only what those need.
 */
export const DEFAULT_GUEST_NICENESS = 5;

/** The account QEMU runs as, by number (setpriv resolves the supplementary groups from the uid). */
export interface QemuLaunchUser {
  uid: number;
  gid: number;
}

/**
 * argv that runs `binary args` at `niceness`, inside network namespace `netns` when given (so QEMU
 * opens its taps there; see agents/node-agent/network/README.md), and as `user` when given. Pure.
 *
 * The user is set by setpriv (util-linux) right before it execs QEMU, like libvirt does: QEMU runs
 * unprivileged from its first instruction and never calls setuid itself, so its seccomp filter can
 * deny set-uid calls too (elevateprivileges=deny). Node's spawn `uid`/`gid` would drop the
 * supplementary groups (kvm, for /dev/kvm); setpriv's --init-groups keeps the user's own. No new
 * privileges (set-uid binaries, file capabilities) and an empty capability bounding set on top: even a
 * kernel bug in set-uid handling finds nothing to gain. Each step (ip netns exec, nice, setpriv) execs
 * the next, so the process the agent spawns is QEMU itself.
 */
export function buildQemuLaunchArgv(
  binary: string,
  args: string[],
  opts: { niceness: number; netns?: string; user?: QemuLaunchUser },
): string[] {
  const { user } = opts;
  if (user && !(isId(user.uid) && isId(user.gid)))
    throw new Error(`invalid user to run QEMU as: uid ${user.uid}, gid ${user.gid}`);
  const asUser = user
    ? [
        "setpriv",
        `--reuid=${user.uid}`,
        `--regid=${user.gid}`,
        "--init-groups",
        "--no-new-privs",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--",
        binary,
        ...args,
      ]
    : [binary, ...args];
  const niced = opts.niceness === 0 ? asUser : ["nice", "-n", String(opts.niceness), ...asUser];
  return opts.netns ? ["ip", "netns", "exec", opts.netns, ...niced] : niced;
}

function isId(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < 2 ** 32 - 1;
}

export function spawnDaemonisedQemu(
  binary: string,
  args: string[],
  opts: { timeoutMs?: number; niceness?: number; netns?: string } = {},
): Promise<void> {
  if (!args.includes("-daemonize"))
    return Promise.reject(new Error("spawnDaemonisedQemu needs -daemonize in the arguments"));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    // detached: its own process group, so a Ctrl-C or group kill aimed at the agent misses the VM.
    // `nice` before exec, so the daemon QEMU forks already runs at the guests' priority.
    const [command, ...argv] = buildQemuLaunchArgv(binary, args, {
      niceness: opts.niceness ?? DEFAULT_GUEST_NICENESS,
      netns: opts.netns,
    });
    const child = spawn(command as string, argv, { stdio: ["ignore", "ignore", "pipe"], detached: true });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(new QemuStartError(`QEMU did not finish starting within ${timeoutMs} ms`, stderr));
    }, timeoutMs);
    let settled = false;
    function finish(error?: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    }
    child.once("error", (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === "ENOENT" ? ` (${binary} is not installed: apt-get install -y qemu-system-x86)` : "";
      finish(new QemuStartError(`cannot run ${binary}: ${error.message}${hint}`, stderr));
    });
    // "close" (not "exit"): stderr is drained too. The daemon child points its stderr at /dev/null
    // once it is up, so the pipe closes even though that child keeps running.
    child.once("close", (code, signal) => {
      if (code === 0) return finish();
      if (code === 127 && /No such file/.test(stderr)) {
        return finish(
          new QemuStartError(
            `cannot run ${binary} (not installed: apt-get install -y qemu-system-x86)`,
            stderr,
          ),
        );
      }
      const detail = stderr.trim() || (signal ? `killed by ${signal}` : `exit code ${code}`);
      finish(new QemuStartError(`QEMU failed to start: ${detail}`, stderr));
    });
  });
}
