// Network namespaces for tests: every test makes its own (unique names), so its bridges, dnsmasq,
// firewall tables and VM traffic never touch the machine's real network.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** `ect-<6 hex>`: short, and recognisable as a test's if one is ever left behind. */
export const uniqueNamespaceName = () => `ect-${randomBytes(3).toString("hex")}`;

/** Runs argv inside namespace `ns` (no shell) and returns stdout. */
export async function runIn(ns: string, argv: string[], timeoutMs = 15_000): Promise<string> {
  const { stdout } = await execFileAsync("ip", ["netns", "exec", ns, ...argv], { timeout: timeoutMs });
  return stdout;
}

export async function createNamespace(ns: string): Promise<void> {
  await execFileAsync("ip", ["netns", "add", ns]);
  await runIn(ns, ["ip", "link", "set", "lo", "up"]);
}

/** Kills whatever still runs in `ns` (the namespace lives as long as a process uses it), then deletes it. */
export async function deleteNamespace(ns: string): Promise<void> {
  const pids = await execFileAsync("ip", ["netns", "pids", ns]).then(
    (r) => r.stdout.split(/\s+/).filter(Boolean).map(Number),
    () => [],
  );
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  await execFileAsync("ip", ["netns", "del", ns]).catch(() => undefined);
}

/** A veth pair: `a` (with addressA/prefix) in nsA, `b` (with addressB/prefix) in nsB, both up. */
export async function connectNamespaces(
  a: { ns: string; ifname: string; address: string },
  b: { ns: string; ifname: string; address: string },
  prefix = 24,
): Promise<void> {
  const temp = `ectmp${randomBytes(3).toString("hex")}`;
  await runIn(a.ns, ["ip", "link", "add", a.ifname, "type", "veth", "peer", "name", temp]);
  await runIn(a.ns, ["ip", "link", "set", temp, "netns", b.ns]);
  await runIn(b.ns, ["ip", "link", "set", temp, "name", b.ifname]);
  for (const end of [a, b]) {
    await runIn(end.ns, ["ip", "addr", "add", `${end.address}/${prefix}`, "dev", end.ifname]);
    await runIn(end.ns, ["ip", "link", "set", end.ifname, "up"]);
  }
}
