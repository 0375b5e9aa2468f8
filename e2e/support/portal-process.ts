import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";

/** Starts the built portal (server/main.ts in production mode) and waits until it answers. */
export async function startPortal(opts: {
  port: number;
  env: Record<string, string>;
  logFile: string;
}): Promise<ChildProcess> {
  const log = createWriteStream(opts.logFile, { flags: "a" });
  const child = spawn("npx", ["--no-install", "tsx", "server/main.ts"], {
    env: {
      ...process.env,
      ...opts.env,
      NODE_ENV: "production",
      PORT: String(opts.port),
      HOST: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`portal exited with ${child.exitCode}; see ${opts.logFile}`);
    try {
      const res = await fetch(`http://127.0.0.1:${opts.port}/login`);
      if (res.ok) return child;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stopPortal(child);
  throw new Error(`portal did not answer on port ${opts.port} within 60 s; see ${opts.logFile}`);
}

export function stopPortal(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM"); // the whole group: npx → tsx → node
  } catch {
    /* already gone */
  }
}
