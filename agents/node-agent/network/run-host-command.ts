import { spawn } from "node:child_process";
import { inNamespace, type HostCommand } from "./ip-commands";

export class HostCommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(
      `${argv.join(" ")} failed (${code === null ? "killed" : `exit ${code}`}): ${stderr.trim().slice(0, 500) || "no message"}`,
    );
    this.name = "HostCommandError";
  }
}

export interface RunOptions {
  /** Written to the command's stdin (nft -f -). */
  input?: string;
  timeoutMs?: number;
}

export type HostCommandRunner = (cmd: HostCommand, opts?: RunOptions) => Promise<string>;

/**
 * Runs host commands with execve (no shell), inside `netns` when set, and resolves with stdout;
 * a non-zero exit rejects with HostCommandError carrying stderr. The result is ready on "close" (all
 * output read), which comes right after the exit for ordinary commands. A command that leaves a
 * background process holding our pipes would never close them, so 200 ms after the exit we stop
 * waiting. (dnsmasq, the daemon started here, points its stdio at /dev/null as it starts up, so it
 * too ends on "close", within tens of milliseconds.)
 */
export function createHostCommandRunner(netns: string | undefined): HostCommandRunner {
  return (cmd, opts = {}) => {
    const argv = inNamespace(cmd, netns);
    const [binary, ...args] = argv;
    if (!binary) return Promise.reject(new Error("empty command"));
    return new Promise((resolve, reject) => {
      const child = spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        if (stdout.length < 16 * 1024 * 1024) stdout += d;
      });
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        if (stderr.length < 64 * 1024) stderr += d;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
      let done = false;
      const finish = (code: number | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (code === 0) resolve(stdout);
        else reject(new HostCommandError(argv, code, stderr));
      };
      child.once("error", (e) => {
        done = true;
        clearTimeout(timer);
        reject(new HostCommandError(argv, null, e.message));
      });
      // "close" waits for the pipes; give them a moment after "exit", then stop waiting (see above).
      child.once("close", (code) => finish(code));
      child.once("exit", (code) =>
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish(code);
        }, 200).unref(),
      );
      child.stdin.on("error", () => undefined);
      child.stdin.end(opts.input ?? "");
    });
  };
}
