// The whole network path on real parts: the portal's IPAM and controller, BullMQ, a real agent whose
// VM networks live in a namespace this test creates, dnsmasq, nftables and QEMU guests. Two VMs get
// exactly the addresses IPAM gave them and ping each other; a port forward added in the portal
// reaches a guest's web server from a client namespace; deleting everything leaves nothing on the host.
//
//   client ns ──veth 10.252.0.2 ↔ 10.252.0.1── host ns (the agent's bridges, taps, dnsmasq, rules)
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostNetwork } from "@/agents/node-agent/network/host-network";
import { readGuestAddresses, runOnGuest } from "@/agents/node-agent/network/testing/guest-shell";
import {
  connectNamespaces,
  createNamespace,
  deleteNamespace,
  runIn,
  uniqueNamespaceName,
} from "@/agents/node-agent/network/testing/test-namespaces";
import { resolveVmPaths } from "@/agents/node-agent/drivers/qemu/vm-paths";

const execFileAsync = promisify(execFile);
const storeDir = await mkdtemp(join(tmpdir(), "educloud-store-"));
process.env.IMAGE_STORE_DIR = storeDir;

const { networkHostStates } = await import("@/db/schema");
const { startComputeStack } = await import("@/server/testing/compute-stack");
const imageRoute = await import("@/app/api/v1/agent/images/[id]/content/route");
const joinRoute = await import("@/app/api/v1/agent/join/route");
const consoleKeyRoute = await import("@/app/api/v1/agent/console-key/route");

const hostNs = uniqueNamespaceName();
const clientNs = uniqueNamespaceName();
let stack: Awaited<ReturnType<typeof startComputeStack>>;

async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)} ${String(lastErr ?? "")})`,
  );
}

beforeAll(async () => {
  await createNamespace(hostNs);
  await createNamespace(clientNs);
  await connectNamespaces(
    { ns: hostNs, ifname: "ecc0", address: "10.252.0.1" },
    { ns: clientNs, ifname: "eth0", address: "10.252.0.2" },
  );
  stack = await startComputeStack({
    storeDir,
    imageRoute: imageRoute.GET as never,
    joinRoute: joinRoute.POST,
    consoleKeyRoute: consoleKeyRoute.GET,
    flavor: { vcpus: 1, memoryMiB: 256, diskGiB: 1 },
    agentEnv: { EDUCLOUD_AGENT_NETNS: hostNs },
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await deleteNamespace(clientNs);
  await deleteNamespace(hostNs);
  await rm(storeDir, { recursive: true, force: true });
}, 120_000);

describe("networks on a real host", () => {
  it("IPAM addresses over DHCP, ping between guests, a port forward from outside, and a clean host after deleting", async () => {
    const { caller } = stack;
    const cidr = `10.${60 + (randomBytes(1)[0]! % 30)}.${randomBytes(1)[0]!}.0/24`;
    const net = await caller.networks.create({
      name: `lab-${randomBytes(3).toString("hex")}`,
      cidr,
      nat: false,
    });
    const vms = await Promise.all(
      ["alpha", "beta"].map((name) =>
        caller.instances.create({
          name,
          imageId: stack.imageId,
          flavorId: stack.flavorId,
          nics: [{ networkId: net.id }],
        }),
      ),
    );
    await Promise.all(vms.map((vm) => stack.waitForState(vm.id, "RUNNING", 180_000)));
    const ips = await Promise.all(vms.map(async (vm) => (await caller.instances.nics({ id: vm.id }))[0]!.ip));
    expect(new Set(ips).size).toBe(2);

    // Each guest got exactly its IPAM address from the host's DHCP.
    const paths = vms.map((vm) => resolveVmPaths(stack.agentDir, vm.id));
    for (const [i, p] of paths.entries()) {
      const seen = await eventually(
        `guest ${i} DHCP`,
        () => readGuestAddresses(p.serialLog),
        (a) => a.length > 0,
        90_000,
      );
      expect(seen.at(-1)).toBe(`${ips[i]}/24`);
    }
    const ping = await runOnGuest(paths[0]!, `ping -c 2 -W 3 ${ips[1]}`, 40_000);
    expect(ping.code, ping.lines.join("\n")).toBe(0);

    // The portal tells the host; the host reports the revision it applied.
    const [applied] = await eventually(
      "network state",
      () => stack.s.db.select().from(networkHostStates).where(eq(networkHostStates.networkId, net.id)),
      (r) => r.length === 1,
    );
    expect(applied).toMatchObject({ hostId: stack.hostId, state: "applied" });

    // A port forward made in the portal reaches alpha's web server from the client namespace.
    const hostPort = 20000 + (randomBytes(2).readUInt16BE() % 9000);
    await caller.portForwards.create({ instanceId: vms[0]!.id, hostPort, guestPort: 80 });
    const page = await eventually(
      "the forwarded page",
      () =>
        runIn(
          clientNs,
          ["timeout", "10", "busybox", "wget", "-q", "-O-", `http://10.252.0.1:${hostPort}/`],
          15_000,
        ),
      (t) => t.includes("educloud-test-guest"),
    );
    expect(page).toContain("educloud-test-guest alpha");

    // Delete everything: nothing of it may stay on the host.
    await Promise.all(vms.map((vm) => caller.instances.delete({ id: vm.id })));
    await Promise.all(vms.map((vm) => stack.waitForState(vm.id, "DELETED", 120_000)));
    await eventually(
      "network delete allowed",
      () => caller.networks.delete({ id: net.id }).then(() => true),
      (v) => v,
      30_000,
    );
    const host = new HostNetwork({ stateDir: stack.agentDir, netns: hostNs });
    const left = await eventually(
      "a clean host",
      () => host.listLeftovers(),
      (l) => Object.values(l).every((v) => (v as unknown[]).length === 0),
      60_000,
    );
    expect(left).toEqual({ bridges: [], taps: [], vlans: [], tables: [], dnsmasqPids: [], runDirs: [] });
    expect(
      await stack.s.db.select().from(networkHostStates).where(eq(networkHostStates.networkId, net.id)),
    ).toEqual([]);
    // The forward rule went with the table: the port no longer answers.
    // (Refused by the host itself, not a missing tool or namespace: busybox names the reason.)
    const gone = await execFileAsync("ip", [
      "netns",
      "exec",
      clientNs,
      "timeout",
      "5",
      "busybox",
      "wget",
      "-q",
      "-O-",
      `http://10.252.0.1:${hostPort}/`,
    ]).then(
      () => "answered",
      (err: { stderr?: string }) => String(err.stderr),
    );
    expect(gone).toMatch(/Connection refused/);
  }, 400_000);
});
