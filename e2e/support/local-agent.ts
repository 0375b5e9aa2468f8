import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { hosts } from "../../db/schema";
import { QemuDriver } from "../../agents/node-agent/drivers/qemu/qemu-driver";
import { createNamespace, deleteNamespace } from "../../agents/node-agent/network/testing/test-namespaces";
import type { Database } from "../../server/db/client";
import { issueJoinToken } from "../../server/domain/hosts/join-host";

export interface LocalAgent {
  stateDir: string;
  hostId: string;
  /** The namespace holding the agent's VM networks (bridges, taps, DHCP, rules). */
  netns: string;
  stop(): Promise<void>;
}

/**
 * Joins a real agent to the portal under test over HTTP (as `npm start` does for its own machine) and
 * runs it; `stop()` ends the agent and removes every VM it made.
 */
export async function startLocalAgent(opts: {
  db: Database;
  portalUrl: string;
  logFile: string;
}): Promise<LocalAgent> {
  // Short path: QEMU's unix sockets live below it and must fit in 107 bytes.
  const stateDir = await mkdtemp(join(tmpdir(), "ec-e2e-"));
  // The agent's VM networks (bridges, taps, DHCP, NAT) live in a namespace of the run's own: a test
  // never builds them on this machine's real network.
  const netns = `ece2e-${randomBytes(3).toString("hex")}`;
  let agent: ChildProcess | undefined;
  const stop = async () => {
    try {
      if (agent?.pid) process.kill(-agent.pid, "SIGKILL");
    } catch {
      /* gone */
    }
    const driver = new QemuDriver({ stateDir });
    for (const vm of await driver.list().catch(() => [])) await driver.delete(vm.id).catch(() => undefined);
    // Deleting the namespace takes its bridges, taps and nftables rules with it (and ends its dnsmasq).
    await deleteNamespace(netns);
    await rm(stateDir, { recursive: true, force: true });
  };
  let hostId: string;
  try {
    await createNamespace(netns);
    const { token } = await issueJoinToken(opts.db, 600);
    const log = createWriteStream(opts.logFile, { flags: "a" });
    const run = (args: string[]): ChildProcess => {
      const child = spawn(
        "npx",
        ["--no-install", "tsx", "agents/node-agent/main.ts", ...args, "--state-dir", stateDir],
        {
          // A free console port chosen at join and kept (pinned-console.ts): no clash with a local agent.
          env: {
            ...process.env,
            EDUCLOUD_AGENT_HEARTBEAT_MS: "2000",
            EDUCLOUD_AGENT_NETNS: netns,
            EDUCLOUD_AGENT_CONSOLE_LISTEN: "127.0.0.1:0",
          },
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        },
      );
      child.stdout!.pipe(log);
      child.stderr!.pipe(log);
      return child;
    };
    const joining = run(["join", "--portal", opts.portalUrl, `--token=${token}`, "--name", "e2e-host"]);
    const code = await new Promise<number | null>((r) => joining.on("exit", r));
    if (code !== 0) throw new Error(`agent join failed (exit ${code}); see ${opts.logFile}`);
    agent = run(["run"]);
    ({ hostId } = JSON.parse(await readFile(join(stateDir, "credentials.json"), "utf8")) as {
      hostId: string;
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [h] = await opts.db.select().from(hosts).where(eq(hosts.id, hostId));
      if (h?.lastHeartbeatAt && Date.now() - h.lastHeartbeatAt.getTime() < 5000) break;
      if (Date.now() > deadline) throw new Error(`the e2e agent sent no heartbeat; see ${opts.logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop(); // a failed start leaves no namespace, agent or state directory behind
    throw err;
  }
  return { stateDir, hostId, netns, stop };
}
