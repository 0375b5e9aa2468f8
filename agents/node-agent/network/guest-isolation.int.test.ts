// What a guest can reach, and what it can pretend to be, with the agent's real rules: HostNetwork on
// real bridges, dnsmasq and nftables, guests being namespaces behind veth ports guarded like taps.
// Every "refused" has its control: the same probe succeeds from where it should, or once the rule
// that refuses it is taken away. All traffic stays in the namespaces this file creates.
//
//   client ns 10.250.0.2 ──veth── 10.250.0.1  host ns  198.51.100.2 ──veth── 198.51.100.1 world ns
//   (the management network:       listeners: 6379 Redis, 3306 MariaDB,       (the internet: a web
//    portal and Redis listen)      3000 portal, 7901 console, 53 a resolver    server naming its clients)
//                                  ├ ecbr…a 10.88.1.1/24, NAT, tcp 8080 → a1:80: a1 .10, a2 .11, a3 (no lease)
//                                  └ ecbr…b 10.88.2.1/24, routed, DNS on the gateway: b1 .10
import { randomBytes, randomUUID } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NetworkSpec, NicSpec } from "../../protocol/network";
import { killProcessesUnder } from "../drivers/qemu/testing/kill-test-vms";
import { HostNetwork } from "./host-network";
import { nameNftTable, nameNicTable } from "./network-names";
import { resolveNetworkPaths } from "./network-paths";
import {
  askForLease,
  canConnect,
  canPing,
  listenIn,
  plugNamespaceGuest,
  writeDhcpScript,
} from "./testing/namespace-guests";
import {
  connectNamespaces,
  createNamespace,
  deleteNamespace,
  runIn,
  uniqueNamespaceName,
} from "./testing/test-namespaces";

const r = randomBytes(3).toString("hex");
const hostNs = uniqueNamespaceName();
const clientNs = uniqueNamespaceName();
const worldNs = uniqueNamespaceName();
const HOST_SERVICES = { redis: 6379, mariadb: 3306, portal: 3000, console: 7901 };
const HOST_ADDRESSES = ["10.88.1.1", "10.88.2.1", "10.250.0.1", "198.51.100.2"];
let stateDir: string;
let dhcpScript: string;
let net: HostNetwork;

const netA: NetworkSpec = {
  id: randomUUID(),
  name: "a",
  revision: 1,
  bridge: `ecbr${r}a`,
  cidr: "10.88.1.0/24",
  gateway: "10.88.1.1",
  dnsServers: ["198.51.100.53"],
  vlanId: null,
  uplink: null,
  nat: true,
  reservations: [
    { mac: "02:ec:88:00:01:10", ip: "10.88.1.10", hostname: "a1" },
    { mac: "02:ec:88:00:01:11", ip: "10.88.1.11", hostname: "a2" },
  ],
  portForwards: [{ protocol: "tcp", hostPort: 8080, guestIp: "10.88.1.10", guestPort: 80 }],
};
const netB: NetworkSpec = {
  ...netA,
  id: randomUUID(),
  name: "b",
  bridge: `ecbr${r}b`,
  cidr: "10.88.2.0/24",
  gateway: "10.88.2.1",
  dnsServers: ["10.88.2.1"],
  nat: false,
  reservations: [{ mac: "02:ec:88:00:02:10", ip: "10.88.2.10", hostname: "b1" }],
  portForwards: [],
};

interface Guest {
  ns: string;
  nic: NicSpec;
}
const guest = (network: NetworkSpec, n: number, mac: string, ip: string): Guest => ({
  ns: uniqueNamespaceName(),
  nic: { tap: `ectap${r}${n}`, mac, ip, network },
});
const a1 = guest(netA, 1, "02:ec:88:00:01:10", "10.88.1.10");
const a2 = guest(netA, 2, "02:ec:88:00:01:11", "10.88.1.11");
// Guarded like any NIC, but without a DHCP reservation: dnsmasq never answers it.
const a3 = guest(netA, 3, "02:ec:88:00:01:12", "10.88.1.12");
const b1 = guest(netB, 4, "02:ec:88:00:02:10", "10.88.2.10");
const guests = [a1, a2, a3, b1];

const plug = (g: Guest) =>
  plugNamespaceGuest(hostNs, { ns: g.ns, port: g.nic.tap, bridge: g.nic.network.bridge, mac: g.nic.mac });
const fetchFrom = (ns: string, url: string) =>
  runIn(ns, ["timeout", "10", "busybox", "wget", "-q", "-O-", url], 15_000).catch(() => "");
const dropTable = (family: "ip" | "netdev", name: string) =>
  runIn(hostNs, ["nft", "delete", "table", family, name]);

/** A DHCPRELEASE (RFC 2131) of `ip`, leased to `mac`, sent to `server`. */
function buildDhcpRelease(ip: string, mac: string, server: string): Buffer {
  const bytes = (ipv4: string) => ipv4.split(".").map(Number);
  const head = Buffer.alloc(236);
  head.set([1, 1, 6, 0], 0); // BOOTREQUEST, Ethernet, 6-byte addresses, no hops
  randomBytes(4).copy(head, 4); // xid
  head.set(bytes(ip), 12); // ciaddr
  head.set(Buffer.from(mac.replaceAll(":", ""), "hex"), 28); // chaddr
  const options = [99, 130, 83, 99, 53, 1, 7, 54, 4, ...bytes(server), 255]; // cookie, RELEASE, server id
  return Buffer.concat([head, Buffer.from(options)]);
}

/** A web page naming `who`, served by busybox httpd on address:80 in `ns` (IPv4 only: REMOTE_ADDR stays plain). */
async function serveWeb(ns: string, who: string, address: string, cgi = false): Promise<void> {
  const dir = join(stateDir, `www-${who}`);
  await mkdir(join(dir, "cgi-bin"), { recursive: true });
  await writeFile(join(dir, "index.html"), `page of ${who}\n`);
  if (cgi) {
    // The world names whoever connected (busybox httpd CGI sets REMOTE_ADDR).
    await writeFile(
      join(dir, "cgi-bin", "whoami"),
      '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "client=$REMOTE_ADDR"\n',
    );
    await chmod(join(dir, "cgi-bin", "whoami"), 0o755);
  }
  await runIn(ns, ["busybox", "httpd", "-p", `${address}:80`, "-h", dir]);
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "ni-"));
  dhcpScript = await writeDhcpScript(stateDir);
  for (const ns of [hostNs, clientNs, worldNs]) await createNamespace(ns);
  await connectNamespaces(
    { ns: hostNs, ifname: "ecc0", address: "10.250.0.1" },
    { ns: clientNs, ifname: "eth0", address: "10.250.0.2" },
  );
  await connectNamespaces(
    { ns: hostNs, ifname: "ecw0", address: "198.51.100.2" },
    { ns: worldNs, ifname: "eth0", address: "198.51.100.1" },
  );
  await runIn(hostNs, ["ip", "route", "add", "default", "via", "198.51.100.1"]);
  await runIn(clientNs, ["ip", "route", "add", "default", "via", "10.250.0.1"]);
  await runIn(worldNs, ["ip", "route", "add", "10.88.2.0/24", "via", "198.51.100.2"]);
  // Stand-ins for the host's services, and for the portal and its Redis on the management network.
  await listenIn(hostNs, [...Object.values(HOST_SERVICES), 53]);
  await listenIn(clientNs, [HOST_SERVICES.portal, HOST_SERVICES.redis]);
  await serveWeb(worldNs, "world", "198.51.100.1", true);

  net = new HostNetwork({ stateDir, netns: hostNs });
  await net.applyNetwork(netA);
  await net.applyNetwork(netB);
  for (const g of guests) {
    await plug(g);
    await net.guardNic(g.nic);
  }
}, 120_000);

afterAll(async () => {
  if (stateDir) await killProcessesUnder(stateDir);
  for (const ns of [hostNs, clientNs, worldNs, ...guests.map((g) => g.ns)]) await deleteNamespace(ns);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe("guest isolation", () => {
  it("leases each guest its reserved address through its NIC's filter, and none to an unreserved MAC", async () => {
    expect(await askForLease(a1.ns, dhcpScript)).toMatch(/^10\.88\.1\.10\/24 router=10\.88\.1\.1 /);
    expect(await askForLease(a2.ns, dhcpScript)).toMatch(/^10\.88\.1\.11\/24 /);
    expect(await askForLease(b1.ns, dhcpScript)).toMatch(/^10\.88\.2\.10\/24 router=10\.88\.2\.1 /);
    expect(await askForLease(a3.ns, dhcpScript)).toBeNull();
    await serveWeb(a1.ns, "a1", a1.nic.ip);
    await serveWeb(b1.ns, "b1", b1.nic.ip);
  }, 90_000);

  it("still NATs to the world, routes a routed network, and port forwards from outside and from a neighbour", async () => {
    const whoami = "http://198.51.100.1/cgi-bin/whoami";
    expect(await fetchFrom(a1.ns, whoami)).toBe("client=198.51.100.2\n");
    expect(await fetchFrom(b1.ns, whoami)).toBe("client=10.88.2.10\n");
    expect(await fetchFrom(clientNs, "http://10.250.0.1:8080/")).toBe("page of a1\n");
    expect(await fetchFrom(worldNs, "http://198.51.100.2:8080/")).toBe("page of a1\n");
    expect(await fetchFrom(a2.ns, "http://10.88.1.1:8080/")).toBe("page of a1\n");
    expect(await canPing(a1.ns, a2.nic.ip)).toBe(true);
  }, 90_000);

  it("lets no host service answer a guest on any host address, though the host reaches them all", async () => {
    const probes = HOST_ADDRESSES.flatMap((ip) => Object.values(HOST_SERVICES).map((port) => ({ ip, port })));
    const fromHost = await Promise.all(probes.map((p) => canConnect(hostNs, p.ip, p.port)));
    expect(fromHost.every(Boolean)).toBe(true);
    for (const g of [a1, b1]) {
      const fromGuest = await Promise.all(probes.map((p) => canConnect(g.ns, p.ip, p.port)));
      expect(probes.filter((_, i) => fromGuest[i])).toEqual([]);
    }
    // DNS only where the network names its gateway as a DNS server; a ping to its own gateway only.
    expect(await canConnect(b1.ns, "10.88.2.1", 53)).toBe(true);
    expect(await canConnect(a1.ns, "10.88.1.1", 53)).toBe(false);
    expect(await canPing(a1.ns, "10.88.1.1")).toBe(true);
    expect(await canPing(a1.ns, "10.88.2.1")).toBe(false);
    // It is A's table that refuses: without it a1 reaches Redis on its gateway.
    await dropTable("ip", nameNftTable(netA.id));
    expect(await canConnect(a1.ns, "10.88.1.1", HOST_SERVICES.redis)).toBe(true);
    await net.applyNetwork(netA);
    expect(await canConnect(a1.ns, "10.88.1.1", HOST_SERVICES.redis)).toBe(false);
  }, 120_000);

  it("keeps guests off the management network unless the network's blockedEgress allows it", async () => {
    expect(await canConnect(clientNs, "10.250.0.2", HOST_SERVICES.portal)).toBe(true);
    for (const g of [a1, b1]) {
      expect(await canConnect(g.ns, "10.250.0.2", HOST_SERVICES.portal)).toBe(false);
      expect(await canConnect(g.ns, "10.250.0.2", HOST_SERVICES.redis)).toBe(false);
    }
    await net.applyNetwork({ ...netA, revision: 2, blockedEgress: [] });
    expect(await canConnect(a1.ns, "10.250.0.2", HOST_SERVICES.portal)).toBe(true);
    await net.applyNetwork({ ...netA, revision: 3, blockedEgress: ["10.250.0.2/32"] });
    expect(await canConnect(a1.ns, "10.250.0.2", HOST_SERVICES.portal)).toBe(false);
    await net.applyNetwork({ ...netA, revision: 4 });
    expect(await canConnect(a1.ns, "10.250.0.2", HOST_SERVICES.portal)).toBe(false);
  }, 120_000);

  it("keeps two networks apart, even with only one of their tables in place", async () => {
    const apart = async () =>
      !(await canConnect(a1.ns, b1.nic.ip, 80)) &&
      !(await canConnect(b1.ns, a1.nic.ip, 80)) &&
      !(await canPing(a1.ns, b1.nic.ip));
    expect(await apart()).toBe(true);
    // Only B's table: B is routed (it takes new connections from outside), yet not from A.
    await dropTable("ip", nameNftTable(netA.id));
    expect(await apart()).toBe(true);
    await net.applyNetwork({ ...netA, revision: 4 });
    await dropTable("ip", nameNftTable(netB.id));
    expect(await apart()).toBe(true);
    await dropTable("ip", nameNftTable(netA.id));
    // Control: with neither table, routing joins them.
    expect(await canConnect(b1.ns, a1.nic.ip, 80)).toBe(true);
    await net.applyNetwork({ ...netA, revision: 4 });
    await net.applyNetwork(netB);
    expect(await apart()).toBe(true);
  }, 120_000);

  describe("a guest that pretends to be its neighbour", () => {
    let bridgeMac: string;
    /** Counts what reaches the host's IP stack for UDP port 9999 (no guest sends there otherwise). */
    const probeCount = async () =>
      Number(
        /counter packets (\d+)/.exec(
          await runIn(hostNs, ["nft", "list", "table", "ip", "ectest_probe"]),
        )?.[1],
      );
    const sendProbes = (ns: string) =>
      runIn(ns, ["bash", "-c", "for i in 1 2 3; do echo x >/dev/udp/10.88.1.1/9999; done"]);
    const a2As = async (mac: string, ip: string) => {
      await runIn(a2.ns, ["ip", "link", "set", "eth0", "down"]);
      await runIn(a2.ns, ["ip", "link", "set", "eth0", "address", mac]);
      await runIn(a2.ns, ["ip", "link", "set", "eth0", "up"]);
      await runIn(a2.ns, ["ip", "-4", "addr", "flush", "dev", "eth0"]);
      await runIn(a2.ns, ["ip", "addr", "add", `${ip}/24`, "dev", "eth0"]);
      // A static entry for the gateway: a2 sends at once, whatever happens to its ARP.
      await runIn(a2.ns, ["ip", "neigh", "replace", "10.88.1.1", "lladdr", bridgeMac, "dev", "eth0"]);
    };
    const hostNeighbourOf = async (ip: string) =>
      (await runIn(hostNs, ["ip", "neigh", "show", ip, "dev", netA.bridge])).trim();

    beforeAll(async () => {
      bridgeMac = JSON.parse(await runIn(hostNs, ["ip", "-j", "link", "show", "dev", netA.bridge]))[0]
        .address;
      await writeFile(
        join(stateDir, "probe.nft"),
        "table ip ectest_probe {\n  chain pre {\n    type filter hook prerouting priority -400; policy accept;\n    udp dport 9999 counter\n  }\n}\n",
      );
      await runIn(hostNs, ["nft", "-f", join(stateDir, "probe.nft")]);
    });

    it("cannot send from a neighbour's address nor poison the host's ARP entry for it", async () => {
      expect(await canPing(hostNs, a1.nic.ip)).toBe(true);
      expect(await hostNeighbourOf(a1.nic.ip)).toContain(a1.nic.mac);
      await a2As(a2.nic.mac, a1.nic.ip);
      await sendProbes(a2.ns);
      // "who has 10.88.1.1? tell 10.88.1.10 at a2's MAC": would move the host's entry for a1 to a2.
      await runIn(a2.ns, [
        "busybox",
        "arping",
        "-c",
        "2",
        "-w",
        "2",
        "-I",
        "eth0",
        "-s",
        a1.nic.ip,
        "10.88.1.1",
      ]).catch(() => "");
      expect(await probeCount()).toBe(0);
      expect(await hostNeighbourOf(a1.nic.ip)).toContain(a1.nic.mac);
      expect(await canPing(a1.ns, "10.88.1.1")).toBe(true);
    }, 60_000);

    it("cannot send with a neighbour's MAC, nor make the bridge learn it on its port", async () => {
      // Its own address: only the MAC is forged.
      await a2As(a1.nic.mac, a2.nic.ip);
      await sendProbes(a2.ns);
      expect(await probeCount()).toBe(0);
      const fdb = await runIn(hostNs, ["bridge", "fdb", "show", "dev", a2.nic.tap]);
      expect(fdb).not.toContain(a1.nic.mac);
      // Control: without a2's filter the same frames arrive (and the bridge learns a1's MAC on a2's port).
      await dropTable("netdev", nameNicTable(a2.nic.tap));
      await sendProbes(a2.ns);
      expect(await probeCount()).toBeGreaterThan(0);
      await net.guardNic(a2.nic);
      await a2As(a2.nic.mac, a2.nic.ip);
      await runIn(a1.ns, ["busybox", "ping", "-c", "1", "-W", "2", "10.88.1.1"]);
      expect(await canPing(a2.ns, a1.nic.ip)).toBe(true);
    }, 60_000);

    it("cannot answer its neighbours' DHCP requests", async () => {
      const conf = join(stateDir, "udhcpd.conf");
      await writeFile(
        conf,
        [
          "interface eth0",
          "start 10.88.1.100",
          "end 10.88.1.110",
          "option subnet 255.255.255.0",
          "option router 10.88.1.11",
          `lease_file ${join(stateDir, "udhcpd.leases")}`,
          `pidfile ${join(stateDir, "udhcpd.pid")}`,
          "",
        ].join("\n"),
      );
      await writeFile(join(stateDir, "udhcpd.leases"), "");
      await runIn(a2.ns, ["busybox", "udhcpd", conf]);
      expect(await askForLease(a3.ns, dhcpScript)).toBeNull();
      // Control: without a2's filter, a3 takes a2's offer.
      await dropTable("netdev", nameNicTable(a2.nic.tap));
      expect(await askForLease(a3.ns, dhcpScript)).toMatch(/^10\.88\.1\.1\d\d\/24 router=10\.88\.1\.11 /);
      await net.guardNic(a2.nic);
      await runIn(a2.ns, ["sh", "-c", `kill $(cat ${join(stateDir, "udhcpd.pid")})`]);
      await runIn(a3.ns, ["ip", "-4", "addr", "flush", "dev", "eth0"]);
    }, 90_000);

    it("cannot release a neighbour's lease (DHCP requests only for its own MAC)", async () => {
      const leases = resolveNetworkPaths(stateDir, netA.id).leases;
      const hasA1Lease = async () => (await readFile(leases, "utf8")).includes(`${a1.nic.mac} ${a1.nic.ip}`);
      const release = join(stateDir, "release.bin");
      await writeFile(release, buildDhcpRelease(a1.nic.ip, a1.nic.mac, "10.88.1.1"));
      // From a2's own address and port 68, to dnsmasq: only the chaddr inside is a1's.
      const sendRelease = () =>
        runIn(a2.ns, ["socat", "-u", `OPEN:${release}`, "UDP-DATAGRAM:10.88.1.1:67,bind=:68"]);
      const settle = () => new Promise((res) => setTimeout(res, 1500));
      expect(await hasA1Lease()).toBe(true);
      await sendRelease();
      await settle();
      expect(await hasA1Lease()).toBe(true);
      // Control: without a2's filter, dnsmasq forgets a1's lease.
      await dropTable("netdev", nameNicTable(a2.nic.tap));
      await sendRelease();
      await settle();
      expect(await hasA1Lease()).toBe(false);
      await net.guardNic(a2.nic);
      expect(await askForLease(a1.ns, dhcpScript)).toMatch(/^10\.88\.1\.10\/24 /);
    }, 60_000);
  });

  it("cuts off a guest port the agent has no filter for at the next apply, until it is guarded", async () => {
    const stray = guest(netA, 5, "02:ec:88:00:01:15", "10.88.1.15");
    guests.push(stray);
    await plug(stray);
    await runIn(stray.ns, ["ip", "addr", "add", "10.88.1.15/24", "dev", "eth0"]);
    // Control: nothing filters it yet.
    expect(await canPing(stray.ns, "10.88.1.1")).toBe(true);
    await net.applyNetwork({ ...netA, revision: 4 });
    expect(await canPing(stray.ns, "10.88.1.1")).toBe(false);
    expect((await net.listLeftovers()).tables).toContain(nameNicTable(stray.nic.tap));
    await net.guardNic(stray.nic);
    expect(await canPing(stray.ns, "10.88.1.1")).toBe(true);
  }, 60_000);

  it("removes each NIC's filter with its port, and leaves nothing once the networks are gone", async () => {
    for (const g of guests) {
      await runIn(hostNs, ["ip", "link", "del", g.nic.tap]);
      await net.removeTap(g.nic.tap);
    }
    await net.removeNetwork(netA.id, netA.bridge);
    await net.removeNetwork(netB.id, netB.bridge);
    expect(await net.listLeftovers()).toEqual({
      bridges: [],
      taps: [],
      vlans: [],
      tables: [],
      dnsmasqPids: [],
      runDirs: [],
    });
  }, 60_000);
});
