// A network's last change and its deletion race on the way to the host: releasing an instance's address
// sends a new spec, and the delete that the release made possible sends the removal. Whatever order the
// host runs them in, the network must end up gone. Real ip, nft and dnsmasq, in a namespace of its own.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { NetworkSpec } from "../../protocol/network";
import { killProcessesUnder } from "../drivers/qemu/testing/kill-test-vms";
import { HostNetwork } from "./host-network";
import { createNamespace, deleteNamespace, uniqueNamespaceName } from "./testing/test-namespaces";

const hostNs = uniqueNamespaceName();
let stateDir: string;
let net: HostNetwork;
const empty = { bridges: [], taps: [], vlans: [], tables: [], dnsmasqPids: [], runDirs: [] };

const spec: NetworkSpec = {
  id: randomUUID(),
  name: "late",
  revision: 4,
  bridge: `ecbr${randomBytes(3).toString("hex")}l`,
  cidr: "10.67.1.0/24",
  gateway: "10.67.1.1",
  dnsServers: [],
  vlanId: null,
  uplink: null,
  nat: false,
  reservations: [{ mac: "02:ec:67:00:01:10", ip: "10.67.1.10" }],
  portForwards: [],
};

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "nr-"));
  await createNamespace(hostNs);
  net = new HostNetwork({ stateDir, netns: hostNs });
}, 60_000);

afterAll(async () => {
  if (stateDir) await killProcessesUnder(stateDir);
  await deleteNamespace(hostNs);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

it("a spec that arrives after the removal, though newer than any applied, does not build the network again", async () => {
  expect(await net.applyNetwork(spec)).toEqual({ applied: true, revision: 4 });
  // The portal deletes the network at revision 5 (the release) and sends the removal as revision 6.
  await net.removeNetwork(spec.id, spec.bridge, 6);
  expect(await net.listLeftovers()).toEqual(empty);
  const late = { ...spec, revision: 5, reservations: [] };
  expect(await net.applyNetwork(late)).toEqual({ applied: false, revision: 6 });
  expect(await net.listLeftovers()).toEqual(empty);
}, 30_000);
