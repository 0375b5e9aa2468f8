// Host networking end to end: real bridges, dnsmasq, nftables and QEMU (TCG) guests, all inside
// network namespaces this file creates (host, client, world) and deletes again. No traffic leaves
// them. Three guests of 256 MiB boot in parallel: two on network A (NAT, a port forward), one on B.
//
//   client ns ──veth 10.250.0.2 ↔ 10.250.0.1── host ns ──veth 198.51.100.2 ↔ 198.51.100.1── world ns
//   (the world has a public address: private ranges are what guests may not reach by default)
//                                               ├ ecbr…a 10.77.1.1/24: vm1 .11, vm2 .12   (NAT on, tcp 8080 → vm1:80)
//                                               └ ecbr…b 10.77.2.1/24: vm3 .21            (NAT off)
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestImage } from "@/server/testing/test-image";
import type { NetworkSpec, NicSpec } from "../../protocol/network";
import type { VmSpec } from "../drivers/hypervisor-driver";
import { QemuDriver } from "../drivers/qemu/qemu-driver";
import { killProcessesUnder } from "../drivers/qemu/testing/kill-test-vms";
import { BANNER, waitForSerialLog } from "../drivers/qemu/testing/serial-log";
import { resolveVmPaths } from "../drivers/qemu/vm-paths";
import { HostNetwork } from "./host-network";
import { nameNftTable } from "./network-names";
import { resolveNetworkPaths } from "./network-paths";
import { readGuestAddresses, runOnGuest } from "./testing/guest-shell";
import { canConnect, listenIn } from "./testing/namespace-guests";
import {
  connectNamespaces,
  createNamespace,
  deleteNamespace,
  runIn,
  uniqueNamespaceName,
} from "./testing/test-namespaces";

const BOOT_TIMEOUT = 150_000;
// Debian's busybox 1.35 wget crashes (SIGSEGV) with -T, in the guest and on the host alike: time
// limits come from timeout(1) in the guest and from execFile on the host.
const WHOAMI = "timeout 20 wget -q -O- http://198.51.100.1/cgi-bin/whoami";
const r = randomBytes(3).toString("hex");
const hostNs = uniqueNamespaceName();
const clientNs = uniqueNamespaceName();
const worldNs = uniqueNamespaceName();
let stateDir: string;
let wwwDir: string;
let driver: QemuDriver;
let net: HostNetwork;

const netA: NetworkSpec = {
  id: randomUUID(),
  name: "net A",
  revision: 1,
  bridge: `ecbr${r}a`,
  cidr: "10.77.1.0/24",
  gateway: "10.77.1.1",
  dnsServers: ["10.77.1.1"],
  vlanId: null,
  uplink: null,
  nat: true,
  reservations: [
    { mac: "02:ec:00:00:01:11", ip: "10.77.1.11", hostname: "vm-one" },
    { mac: "02:ec:00:00:01:12", ip: "10.77.1.12", hostname: "vm-two" },
  ],
  portForwards: [{ protocol: "tcp", hostPort: 8080, guestIp: "10.77.1.11", guestPort: 80 }],
};
const netB: NetworkSpec = {
  id: randomUUID(),
  name: "net B",
  revision: 1,
  bridge: `ecbr${r}b`,
  cidr: "10.77.2.0/24",
  gateway: "10.77.2.1",
  dnsServers: [],
  vlanId: null,
  uplink: null,
  nat: false,
  reservations: [{ mac: "02:ec:00:00:02:21", ip: "10.77.2.21", hostname: "vm-three" }],
  portForwards: [],
};

function nicOf(network: NetworkSpec, n: number, tap: string): NicSpec {
  const res = network.reservations[n];
  if (!res) throw new Error("no such reservation");
  return { tap, mac: res.mac, ip: res.ip, network };
}
const vms = [
  { id: randomUUID(), name: "vm-one", nic: nicOf(netA, 0, `ectap${r}1`) },
  { id: randomUUID(), name: "vm-two", nic: nicOf(netA, 1, `ectap${r}2`) },
  { id: randomUUID(), name: "vm-three", nic: nicOf(netB, 0, `ectap${r}3`) },
];
const [vm1, vm2, vm3] = vms as [(typeof vms)[0], (typeof vms)[0], (typeof vms)[0]];
const pathsOf = (vm: { id: string }) => resolveVmPaths(stateDir, vm.id);

beforeAll(async () => {
  const baseImage = await ensureTestImage();
  stateDir = await mkdtemp(join(tmpdir(), "nt-"));
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
  // Without NAT the world sees the guest's own address; this route lets it answer.
  await runIn(worldNs, ["ip", "route", "add", "10.77.2.0/24", "via", "198.51.100.2"]);
  // The world's web server names whoever connected (busybox httpd CGI sets REMOTE_ADDR).
  wwwDir = join(stateDir, "www");
  await mkdir(join(wwwDir, "cgi-bin"), { recursive: true });
  await writeFile(
    join(wwwDir, "cgi-bin", "whoami"),
    '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "client=$REMOTE_ADDR"\n',
  );
  await chmod(join(wwwDir, "cgi-bin", "whoami"), 0o755);
  await runIn(worldNs, ["busybox", "httpd", "-p", "198.51.100.1:80", "-h", wwwDir]);
  // A stand-in for Redis on the host (guest-isolation.int.test.ts covers every service with namespace guests).
  await listenIn(hostNs, [6379]);

  net = new HostNetwork({ stateDir, netns: hostNs });
  // QEMU runs unprivileged, as the agent runs it: it attaches to taps owned by its user (prepareNic).
  driver = new QemuDriver({ stateDir, netns: hostNs, runAs: "nobody" });
  await Promise.all([net.applyNetwork(netA), net.applyNetwork(netB)]);
  for (const vm of vms) await driver.prepareNic(vm.nic, net);
  const spec = (vm: typeof vm1): VmSpec => ({
    id: vm.id,
    name: vm.name,
    vcpus: 1,
    memoryMiB: 256,
    diskGiB: 1,
    baseImagePath: baseImage,
    baseImageFormat: "qcow2",
    accel: "tcg",
    nics: [vm.nic],
  });
  await Promise.all(vms.map((vm) => driver.create(spec(vm))));
}, 300_000);

afterAll(async () => {
  if (stateDir) await killProcessesUnder(stateDir);
  for (const ns of [hostNs, clientNs, worldNs]) await deleteNamespace(ns);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe("guest networking on one host", () => {
  it("gives each VM's tap to the user QEMU runs as: no other unprivileged user may attach to it", async () => {
    // An unowned persistent tap is open to any local user; QEMU (nobody here) needs none of that.
    for (const vm of vms) {
      const [link] = JSON.parse(await runIn(hostNs, ["ip", "-j", "-d", "link", "show", "dev", vm.nic.tap]));
      expect(link.linkinfo.info_data, vm.nic.tap).toMatchObject({ persist: true, user: "nobody" });
    }
  });

  it(
    "gives each VM exactly its reserved address over DHCP",
    async () => {
      const started = Date.now();
      await Promise.all(
        vms.map((vm) =>
          waitForSerialLog(
            pathsOf(vm).serialLog,
            (l) => l.includes(BANNER) && l.includes("EDUCLOUD-NET eth0 "),
            BOOT_TIMEOUT,
          ),
        ),
      );
      console.log(`three guests booted and leased in ${Date.now() - started} ms`);
      for (const vm of vms)
        expect(await readGuestAddresses(pathsOf(vm).serialLog)).toEqual([`${vm.nic.ip}/24`]);
      const leases = await readFile(resolveNetworkPaths(stateDir, netA.id).leases, "utf8");
      expect(leases).toContain(`${vm1.nic.mac} ${vm1.nic.ip} vm-one`);
      expect(leases).toContain(`${vm2.nic.mac} ${vm2.nic.ip} vm-two`);
    },
    BOOT_TIMEOUT + 10_000,
  );

  it("lets two VMs on one network ping each other", async () => {
    expect(await runOnGuest(pathsOf(vm1), `ping -c 2 -W 5 ${vm2.nic.ip}`)).toMatchObject({ code: 0 });
    expect(await runOnGuest(pathsOf(vm2), `ping -c 2 -W 5 ${vm1.nic.ip}`)).toMatchObject({ code: 0 });
  }, 60_000);

  it("keeps a VM on another network of the same host from reaching them", async () => {
    // vm3's own network works (its gateway answers), so a failure below is the isolation, not a dead NIC.
    expect(await runOnGuest(pathsOf(vm3), `ping -c 2 -W 5 ${netB.gateway}`)).toMatchObject({ code: 0 });
    const probe = await runOnGuest(pathsOf(vm3), `ping -c 2 -W 3 ${vm1.nic.ip}`);
    expect(probe.code).not.toBe(0);
    expect(probe.lines.join("\n")).toMatch(/0 packets received|100% packet loss/);
    expect((await runOnGuest(pathsOf(vm1), `ping -c 2 -W 3 ${vm3.nic.ip}`)).code).not.toBe(0);
  }, 60_000);

  it("forwards a host port to a guest's web server, from another namespace and from the host itself", async () => {
    const fromClient = await runIn(clientNs, ["busybox", "wget", "-q", "-O-", "http://10.250.0.1:8080/"]);
    expect(fromClient).toContain("educloud-test-guest vm-one");
    const fromHost = await runIn(hostNs, ["busybox", "wget", "-q", "-O-", "http://10.250.0.1:8080/"]);
    expect(fromHost).toContain("educloud-test-guest vm-one");
  }, 60_000);

  it("masquerades a NAT network's egress and routes a non-NAT network's as is", async () => {
    const natted = await runOnGuest(pathsOf(vm1), WHOAMI);
    expect(natted).toMatchObject({ code: 0, lines: ["client=198.51.100.2"] });
    const routed = await runOnGuest(pathsOf(vm3), WHOAMI);
    expect(routed).toMatchObject({ code: 0, lines: [`client=${vm3.nic.ip}`] });
  }, 60_000);

  it("keeps a VM off the host's services and from sending as another address, through its real tap", async () => {
    expect(await canConnect(hostNs, netA.gateway, 6379)).toBe(true);
    const redis = await runOnGuest(pathsOf(vm1), `timeout 5 nc ${netA.gateway} 6379 </dev/null`);
    expect(redis.lines).not.toContain("listening");
    expect((await runOnGuest(pathsOf(vm2), `ping -c 1 -W 3 ${netA.gateway}`)).code).toBe(0);
    // From an address not its own: the IP check drops the echo, and the ARP check keeps the host from
    // ever resolving .99 for a reply (either alone makes the ping fail; the namespace test separates them).
    const spoofed = await runOnGuest(
      pathsOf(vm2),
      `ip addr add 10.77.1.99/24 dev eth0; ping -c 2 -W 3 -I 10.77.1.99 ${netA.gateway}; rc=$?; ip addr del 10.77.1.99/24 dev eth0; exit $rc`,
    );
    expect(spoofed.code).not.toBe(0);
  }, 60_000);

  it("re-applies idempotently, ignores older specs, and makes changed reservations take effect", async () => {
    const paths = resolveNetworkPaths(stateDir, netA.id);
    const snapshot = async () => ({
      pid: (await readFile(paths.dnsmasqPid, "utf8")).trim(),
      table: await runIn(hostNs, ["nft", "list", "table", "ip", nameNftTable(netA.id)]),
      bridge: await runIn(hostNs, ["ip", "-4", "-br", "addr", "show", "dev", netA.bridge]),
      ports: await runIn(hostNs, ["ip", "-br", "link", "show", "master", netA.bridge]),
    });
    const before = await snapshot();
    expect(await net.applyNetwork(netA)).toEqual({ applied: true, revision: 1 });
    expect(await snapshot()).toEqual(before);
    expect(before.ports).toContain(vm1.nic.tap);

    // vm2 moves from .12 to .13: dnsmasq restarts with the new reservation; the guest's renewal is
    // refused and it asks again.
    const moved: NetworkSpec = {
      ...netA,
      revision: 2,
      reservations: [netA.reservations[0]!, { ...netA.reservations[1]!, ip: "10.77.1.13" }],
    };
    expect(await net.applyNetwork(moved)).toEqual({ applied: true, revision: 2 });
    // Its NIC's filter follows: the tap may now send from .13 only.
    await net.ensureTap({ ...vm2.nic, ip: "10.77.1.13", network: moved });
    const after = await snapshot();
    expect(after.pid).not.toBe(before.pid);
    expect(after.table).toEqual(before.table);
    expect(await net.applyNetwork({ ...netA, revision: 0 })).toEqual({ applied: false, revision: 2 });
    expect(await readFile(paths.dnsmasqConf, "utf8")).toContain("10.77.1.13");
    await runOnGuest(pathsOf(vm2), "killall -USR1 udhcpc");
    await waitForSerialLog(
      pathsOf(vm2).serialLog,
      (l) => /EDUCLOUD-NET eth0 10\.77\.1\.13\/24\r?$/m.test(l),
      60_000,
    );
    expect(await runOnGuest(pathsOf(vm1), "ping -c 2 -W 5 10.77.1.13")).toMatchObject({ code: 0 });
  }, 120_000);

  it("leaves no bridge, tap, dnsmasq, table or lease file behind once VMs and networks are gone", async () => {
    expect(await net.listLeftovers()).toMatchObject({
      bridges: expect.arrayContaining([netA.bridge, netB.bridge]),
      taps: expect.arrayContaining(vms.map((v) => v.nic.tap)),
    });
    await Promise.all(vms.map((vm) => driver.delete(vm.id)));
    for (const vm of vms) await net.removeTap(vm.nic.tap);
    await net.removeNetwork(netA.id, netA.bridge);
    await net.removeNetwork(netB.id, netB.bridge);
    const empty = { bridges: [], taps: [], vlans: [], tables: [], dnsmasqPids: [], runDirs: [] };
    expect(await net.listLeftovers()).toEqual(empty);
    // Removing what is already gone is a no-op.
    await net.removeNetwork(netA.id, netA.bridge);
    await net.removeTap(vm1.nic.tap);
    expect(await net.listLeftovers()).toEqual(empty);
  }, 60_000);
});
