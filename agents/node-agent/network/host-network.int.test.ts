// HostNetwork against the real ip, dnsmasq and nft, without VMs: "guests" are namespaces plugged into
// the bridges by veth pairs (host ends named like taps) that ask for leases with busybox udhcpc.
// Everything happens in namespaces this file creates and deletes.
import { randomBytes, randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NetworkSpec } from "../../protocol/network";
import { killProcessesUnder } from "../drivers/qemu/testing/kill-test-vms";
import { HostNetwork } from "./host-network";
import { nameNftTable, nameNicTable } from "./network-names";
import { resolveNetworkPaths } from "./network-paths";
import { findDnsmasqUnder } from "./network-processes";
import { createNamespace, deleteNamespace, runIn, uniqueNamespaceName } from "./testing/test-namespaces";

const r = randomBytes(3).toString("hex");
const hostNs = uniqueNamespaceName();
const guests = { a1: uniqueNamespaceName(), a2: uniqueNamespaceName(), b1: uniqueNamespaceName() };
let stateDir: string;
let dhcpScript: string;
let net: HostNetwork;

const netA: NetworkSpec = {
  id: randomUUID(),
  name: "a",
  revision: 1,
  bridge: `ecbr${r}a`,
  cidr: "10.66.1.0/24",
  gateway: "10.66.1.1",
  dnsServers: ["10.66.1.53"],
  vlanId: null,
  uplink: null,
  nat: true,
  reservations: [{ mac: "02:ec:66:00:01:10", ip: "10.66.1.10", hostname: "guest-a1" }],
  portForwards: [],
};
const netB: NetworkSpec = {
  ...netA,
  id: randomUUID(),
  name: "b",
  bridge: `ecbr${r}b`,
  cidr: "10.66.2.0/24",
  gateway: "10.66.2.1",
  dnsServers: [],
  nat: false,
  reservations: [{ mac: "02:ec:66:00:02:10", ip: "10.66.2.10" }],
};

/**
 * A namespace with one NIC (eth0, `mac`) whose other end (`port`) is a port of `bridge` in the host
 * namespace, guarded like a VM's tap: it may send only from `mac` and `ip`.
 */
async function plugGuest(guestNs: string, port: string, network: NetworkSpec, mac: string, ip: string) {
  const bridge = network.bridge;
  await createNamespace(guestNs);
  await runIn(hostNs, [
    "ip",
    "link",
    "add",
    port,
    "type",
    "veth",
    "peer",
    "name",
    "eth0",
    "address",
    mac,
    "netns",
    guestNs,
  ]);
  await runIn(hostNs, ["ip", "link", "set", port, "master", bridge, "up"]);
  await runIn(guestNs, ["ip", "link", "set", "eth0", "up"]);
  await net.guardNic({ tap: port, mac, ip, network });
}

/** One DHCP exchange from the guest namespace: the LEASE line of our udhcpc script, or null for none. */
async function askForLease(guestNs: string): Promise<string | null> {
  const out = await runIn(
    guestNs,
    ["busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "3", "-T", "1", "-s", dhcpScript],
    20_000,
  ).catch(() => "");
  return /^LEASE (.*)$/m.exec(out)?.[1] ?? null;
}

const ping = (fromNs: string, ip: string) =>
  runIn(fromNs, ["busybox", "ping", "-c", "1", "-W", "2", ip]).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "nh-"));
  dhcpScript = join(stateDir, "udhcpc.sh");
  await writeFile(
    dhcpScript,
    [
      "#!/bin/sh",
      'case "$1" in bound|renew)',
      '  ip -4 addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface"; ip route replace default via "$router"',
      '  echo "LEASE $ip/$mask router=$router dns=$dns hostname=$hostname";;',
      "esac",
      "",
    ].join("\n"),
  );
  await chmod(dhcpScript, 0o755);
  await createNamespace(hostNs);
  net = new HostNetwork({ stateDir, netns: hostNs, allowedUplinks: [`ecup${r}`, "ecnothere"] });
}, 60_000);

afterAll(async () => {
  if (stateDir) await killProcessesUnder(stateDir);
  for (const ns of [hostNs, ...Object.values(guests)]) await deleteNamespace(ns);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe("HostNetwork on a real host namespace", () => {
  it("builds a bridge with the gateway, a firewall table and a dnsmasq that listens on the bridge only", async () => {
    const started = Date.now();
    expect(await net.applyNetwork(netA)).toEqual({ applied: true, revision: 1 });
    expect(await net.applyNetwork(netB)).toEqual({ applied: true, revision: 1 });
    console.log(`two networks applied in ${Date.now() - started} ms`);
    expect(await runIn(hostNs, ["ip", "-4", "-br", "addr", "show", "dev", netA.bridge])).toMatch(
      /10\.66\.1\.1\/24/,
    );
    expect(await runIn(hostNs, ["sysctl", "-n", "net.ipv4.ip_forward"])).toBe("1\n");
    const sockets = await runIn(hostNs, ["ss", "-lnup"]);
    const dnsmasqSockets = sockets.split("\n").filter((l) => l.includes("dnsmasq"));
    expect(dnsmasqSockets.map((l) => l.split(/\s+/)[3]).sort()).toEqual([
      `0.0.0.0%${netA.bridge}:67`,
      `0.0.0.0%${netB.bridge}:67`,
    ]);
    expect((await runIn(hostNs, ["ss", "-lnt"])).includes(":53 ")).toBe(false);
    expect((await net.listLeftovers()).tables.sort()).toEqual(
      [nameNftTable(netA.id), nameNftTable(netB.id)].sort(),
    );
    // dnsmasq's files are the agent's alone.
    expect((await stat(resolveNetworkPaths(stateDir, netA.id).runDir)).mode & 0o077).toBe(0);
  });

  it("leases exactly the reserved address, with router and DNS, and nothing to an unknown MAC", async () => {
    await plugGuest(guests.a1, `ectap${r}1`, netA, "02:ec:66:00:01:10", "10.66.1.10");
    await plugGuest(guests.a2, `ectap${r}2`, netA, "02:ec:66:00:01:99", "10.66.1.21");
    await plugGuest(guests.b1, `ectap${r}3`, netB, "02:ec:66:00:02:10", "10.66.2.10");
    expect(await askForLease(guests.a1)).toBe(
      "10.66.1.10/24 router=10.66.1.1 dns=10.66.1.53 hostname=guest-a1",
    );
    expect(await askForLease(guests.b1)).toBe("10.66.2.10/24 router=10.66.2.1 dns= hostname=");
    expect(await askForLease(guests.a2)).toBeNull();
    expect(await readFile(resolveNetworkPaths(stateDir, netA.id).leases, "utf8")).toContain(
      "02:ec:66:00:01:10 10.66.1.10 guest-a1",
    );
  }, 60_000);

  it("isolates networks, with either table alone, and it is their tables that do", async () => {
    expect(await ping(guests.a1, "10.66.1.1")).toBe(true);
    expect(await ping(guests.b1, "10.66.2.1")).toBe(true);
    expect(await ping(guests.b1, "10.66.1.10")).toBe(false);
    expect(await ping(guests.a1, "10.66.2.10")).toBe(false);
    // Either table alone keeps them apart; without both, routing joins them: the drops are real.
    await runIn(hostNs, ["nft", "delete", "table", "ip", nameNftTable(netB.id)]);
    expect(await ping(guests.b1, "10.66.1.10")).toBe(false);
    await runIn(hostNs, ["nft", "delete", "table", "ip", nameNftTable(netA.id)]);
    expect(await ping(guests.b1, "10.66.1.10")).toBe(true);
    // A re-apply repairs the drift.
    expect(await net.applyNetwork(netA)).toEqual({ applied: true, revision: 1 });
    expect(await net.applyNetwork(netB)).toEqual({ applied: true, revision: 1 });
    expect(await ping(guests.b1, "10.66.1.10")).toBe(false);
  }, 60_000);

  it("re-applies without restarting dnsmasq, restarts a dead one, and ignores older revisions", async () => {
    const pidOf = async () => findDnsmasqUnder(resolveNetworkPaths(stateDir, netA.id).runDir);
    const [pid] = await pidOf();
    expect(pid).toBeGreaterThan(1);
    await net.applyNetwork(netA);
    expect(await pidOf()).toEqual([pid]);
    process.kill(pid!, "SIGKILL");
    await new Promise((res) => setTimeout(res, 200));
    await net.applyNetwork(netA);
    const [revived] = await pidOf();
    expect(revived).toBeGreaterThan(1);
    expect(revived).not.toBe(pid);
    expect(await askForLease(guests.a1)).toMatch(/^10\.66\.1\.10\/24/);
    expect(await net.applyNetwork({ ...netA, revision: 0, reservations: [] })).toEqual({
      applied: false,
      revision: 1,
    });
    expect(await askForLease(guests.a1)).toMatch(/^10\.66\.1\.10\/24/);
  }, 60_000);

  it("makes changed reservations take effect: a new address, a new guest, a removed one", async () => {
    const v2: NetworkSpec = {
      ...netA,
      revision: 2,
      reservations: [
        { mac: "02:ec:66:00:01:10", ip: "10.66.1.20", hostname: "guest-a1" },
        { mac: "02:ec:66:00:01:99", ip: "10.66.1.21" },
      ],
    };
    expect(await net.applyNetwork(v2)).toEqual({ applied: true, revision: 2 });
    expect(await askForLease(guests.a1)).toMatch(/^10\.66\.1\.20\/24/);
    expect(await askForLease(guests.a2)).toMatch(/^10\.66\.1\.21\/24/);
    expect(await net.applyNetwork({ ...v2, revision: 3, reservations: v2.reservations.slice(0, 1) })).toEqual(
      { applied: true, revision: 3 },
    );
    expect(await askForLease(guests.a2)).toBeNull();
  }, 60_000);

  it("rebuilds a network the host lost from its last applied spec, even when only an older spec arrives", async () => {
    for (const pid of await findDnsmasqUnder(resolveNetworkPaths(stateDir, netA.id).runDir))
      process.kill(pid, "SIGKILL");
    await runIn(hostNs, ["ip", "link", "del", netA.bridge]);
    expect(await net.applyNetwork(netA)).toEqual({ applied: true, revision: 3 });
    expect(await runIn(hostNs, ["ip", "-4", "-br", "addr", "show", "dev", netA.bridge])).toMatch(
      /10\.66\.1\.1\/24/,
    );
    await runIn(hostNs, ["ip", "link", "set", `ectap${r}1`, "master", netA.bridge]);
    expect(await askForLease(guests.a1)).toMatch(/^10\.66\.1\.20\/24/);
  }, 60_000);

  it("creates taps on their bridge idempotently with their NIC's filter, and never deletes a non-tap by name", async () => {
    const nic = {
      tap: `ectap${r}9`,
      mac: "02:ec:66:00:01:10",
      ip: "10.66.1.20",
      network: { ...netA, revision: 3 },
    };
    await net.ensureTap(nic);
    await net.ensureTap(nic);
    expect(await runIn(hostNs, ["ip", "-br", "link", "show", "master", netA.bridge])).toContain(nic.tap);
    expect(await runIn(hostNs, ["nft", "list", "table", "netdev", nameNicTable(nic.tap)])).toContain(
      `ip saddr ${nic.ip} accept`,
    );
    // A filter lost (or a tap from an agent without filters) is put back for taps that exist, only.
    await runIn(hostNs, ["nft", "delete", "table", "netdev", nameNicTable(nic.tap)]);
    await net.guardExistingTaps([nic, { ...nic, tap: `ectap${r}8` }]);
    const tables = (await net.listLeftovers()).tables;
    expect(tables).toContain(nameNicTable(nic.tap));
    expect(tables).not.toContain(nameNicTable(`ectap${r}8`));
    await expect(net.removeTap(`ectap${r}1`)).rejects.toThrow(/not a tap/);
    await net.removeTap(nic.tap);
    await net.removeTap(nic.tap);
    expect((await net.listLeftovers()).taps).toEqual([]);
    expect((await net.listLeftovers()).tables).not.toContain(nameNicTable(nic.tap));
  }, 30_000);

  it("gives a tap to QEMU's user, making an unowned one that nothing uses again", async () => {
    const nic = {
      tap: `ectap${r}7`,
      mac: "02:ec:66:00:01:17",
      ip: "10.66.1.27",
      network: { ...netA, revision: 3 },
    };
    const link = async () =>
      JSON.parse(await runIn(hostNs, ["ip", "-j", "-d", "link", "show", "dev", nic.tap]))[0] as {
        ifindex: number;
        master?: string;
        linkinfo: { info_data: { user?: string; group?: string; persist: boolean } };
      };
    await net.ensureTap(nic); // as an agent before QEMU ran unprivileged: no owner
    expect((await link()).linkinfo.info_data.user).toBeUndefined();
    const owner = { uid: 65534, gid: 65534 }; // nobody, nogroup
    await net.ensureTap(nic, owner);
    const owned = await link();
    expect(owned.linkinfo.info_data).toMatchObject({ persist: true, user: "nobody" });
    expect(owned.master).toBe(netA.bridge);
    expect(await runIn(hostNs, ["nft", "list", "table", "netdev", nameNicTable(nic.tap)])).toContain(
      `ip saddr ${nic.ip} accept`,
    );
    await net.ensureTap(nic, owner);
    expect((await link()).ifindex).toBe(owned.ifindex); // already right: left as it is
    await net.removeTap(nic.tap);
  }, 30_000);

  it("enslaves an uplink, releases it when the spec drops it, and refuses a missing one", async () => {
    // A veth end stands in for a NIC (this kernel has no dummy or 802.1q devices to test VLANs with).
    await runIn(hostNs, ["ip", "link", "add", `ecup${r}`, "type", "veth", "peer", "name", `ecuq${r}`]);
    const withUplink: NetworkSpec = { ...netB, revision: 2, uplink: `ecup${r}` };
    await net.applyNetwork(withUplink);
    expect(await runIn(hostNs, ["ip", "-br", "link", "show", "master", netB.bridge])).toContain(`ecup${r}`);
    await net.applyNetwork({ ...withUplink, revision: 3, uplink: null });
    expect(await runIn(hostNs, ["ip", "-br", "link", "show", "master", netB.bridge])).not.toContain(
      `ecup${r}`,
    );
    expect(await runIn(hostNs, ["ip", "-br", "link", "show", `ecup${r}`])).toContain(`ecup${r}`);
    await expect(net.applyNetwork({ ...withUplink, revision: 4, uplink: "ecnothere" })).rejects.toThrow(
      /uplink ecnothere does not exist/,
    );
    // An interface that exists but that the host's operator did not offer: the job is refused, unapplied.
    await expect(net.applyNetwork({ ...withUplink, revision: 5, uplink: `ecuq${r}` })).rejects.toThrow(
      /not one this host allows/,
    );
    expect(await runIn(hostNs, ["ip", "-br", "link", "show", "master", netB.bridge])).not.toContain(
      `ecuq${r}`,
    );
  }, 30_000);

  it("removes everything, and removing again is a no-op", async () => {
    for (const port of [`ectap${r}1`, `ectap${r}2`, `ectap${r}3`]) {
      await runIn(hostNs, ["ip", "link", "del", port]);
      // The veth is gone already: removeTap only takes its filter away.
      await net.removeTap(port);
    }
    await net.removeNetwork(netA.id, netA.bridge);
    await net.removeNetwork(netB.id, netB.bridge);
    const empty = { bridges: [], taps: [], vlans: [], tables: [], dnsmasqPids: [], runDirs: [] };
    expect(await net.listLeftovers()).toEqual(empty);
    await net.removeNetwork(netA.id, netA.bridge);
    expect(await net.listLeftovers()).toEqual(empty);
    // A late, older apply of a removed network stays ignored (until the agent restarts).
    expect(await net.applyNetwork({ ...netA, revision: 1 })).toEqual({ applied: false, revision: 3 });
    expect(await net.listLeftovers()).toEqual(empty);
  }, 30_000);
});
