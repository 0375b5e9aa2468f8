// "Guests" without VMs: a namespace whose eth0 is one end of a veth pair, the other end (named like a
// tap) a port of a bridge in the host namespace. Cheap enough to have many, and to test every rule.
import { spawn } from "node:child_process";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createNamespace, runIn } from "./test-namespaces";

/** A namespace `guestNs` with one NIC (eth0, `mac`) whose other end (`port`) is a port of `bridge` in `hostNs`. */
export async function plugNamespaceGuest(
  hostNs: string,
  guest: { ns: string; port: string; bridge: string; mac: string },
): Promise<void> {
  await createNamespace(guest.ns);
  await runIn(hostNs, [
    "ip",
    "link",
    "add",
    guest.port,
    "type",
    "veth",
    "peer",
    "name",
    "eth0",
    "address",
    guest.mac,
    "netns",
    guest.ns,
  ]);
  await runIn(hostNs, ["ip", "link", "set", guest.port, "master", guest.bridge, "up"]);
  await runIn(guest.ns, ["ip", "link", "set", "eth0", "up"]);
}

/** A udhcpc script that configures eth0 and prints `LEASE <ip>/<mask> router=… dns=… hostname=…`. */
export async function writeDhcpScript(dir: string): Promise<string> {
  const path = join(dir, "udhcpc.sh");
  await writeFile(
    path,
    [
      "#!/bin/sh",
      'case "$1" in bound|renew)',
      '  ip -4 addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface"; ip route replace default via "$router"',
      '  echo "LEASE $ip/$mask router=$router dns=$dns hostname=$hostname";;',
      "esac",
      "",
    ].join("\n"),
  );
  await chmod(path, 0o755);
  return path;
}

/** One DHCP exchange from the guest namespace: the LEASE line of the script, or null for none. */
export async function askForLease(guestNs: string, dhcpScript: string): Promise<string | null> {
  const out = await runIn(
    guestNs,
    ["busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "3", "-T", "1", "-s", dhcpScript],
    20_000,
  ).catch(() => "");
  return /^LEASE (.*)$/m.exec(out)?.[1] ?? null;
}

export const canPing = (fromNs: string, ip: string) =>
  runIn(fromNs, ["busybox", "ping", "-c", "1", "-W", "2", ip]).then(
    () => true,
    () => false,
  );

/** Whether a TCP connection from `fromNs` to ip:port is established within 3 s (bash's /dev/tcp). */
export const canConnect = (fromNs: string, ip: string, port: number) =>
  runIn(fromNs, ["timeout", "3", "bash", "-c", `exec 3<>/dev/tcp/${ip}/${port}`], 10_000).then(
    () => true,
    () => false,
  );

/**
 * TCP listeners on `ports` (all addresses) inside `ns` that answer and close, standing in for a host's
 * services; they live as long as the namespace (deleteNamespace kills them).
 */
export async function listenIn(ns: string, ports: number[]): Promise<void> {
  for (const port of ports) {
    const child = spawn(
      "ip",
      ["netns", "exec", ns, "socat", `TCP-LISTEN:${port},fork,reuseaddr`, "SYSTEM:echo listening"],
      { stdio: "ignore", detached: true },
    );
    child.unref();
  }
  for (const port of ports) {
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(ns, "127.0.0.1", port))) {
      if (Date.now() > deadline) throw new Error(`nothing listens on ${port} in ${ns}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
