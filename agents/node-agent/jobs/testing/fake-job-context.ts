// A JobContext whose driver, image cache, network and event sender only record what they were asked.
// The one driver is a "sim" that wants a tap per NIC, as a tap-based hypervisor does.
import pino from "pino";
import type { AgentEventInput } from "../../../protocol/index";
import type { NetworkSpec, NicSpec } from "../../../protocol/network";
import { DriverRegistry } from "../../drivers/driver-registry";
import type { HypervisorDriver, NicNetworkPort, VmSpec } from "../../drivers/hypervisor-driver";
import type { ImageCache } from "../../image-cache";
import type { HostNetworking } from "../../network/host-network";
import type { EventSender } from "../../send-events";
import type { JobContext } from "../job-context";

export function createFakeJobContext(opts: { specs?: Map<string, VmSpec>; failApply?: Error } = {}) {
  const calls: string[] = [];
  const events: AgentEventInput[] = [];
  const specs = opts.specs ?? new Map<string, VmSpec>();
  const network: HostNetworking = {
    async applyNetwork(spec: NetworkSpec) {
      calls.push(`applyNetwork ${spec.id} r${spec.revision}`);
      if (opts.failApply) throw opts.failApply;
      return { applied: true, revision: spec.revision };
    },
    async removeNetwork(id: string, bridge: string) {
      calls.push(`removeNetwork ${id} ${bridge}`);
    },
    async ensureTap(nic: NicSpec) {
      calls.push(`ensureTap ${nic.tap}`);
    },
    async removeTap(tap: string) {
      calls.push(`removeTap ${tap}`);
    },
    async listLeftovers() {
      return { bridges: [], taps: [], vlans: [], tables: [], dnsmasqPids: [], runDirs: [] };
    },
  };
  const driver = {
    kind: "sim",
    async prepareNic(nic: NicSpec, net: NicNetworkPort) {
      await net.ensureTap(nic);
    },
    async releaseNic(nic: NicSpec, net: NicNetworkPort) {
      await net.removeTap(nic.tap);
    },
    async status(id: string) {
      return specs.has(id) ? { id, state: "stopped" as const } : null;
    },
    async create(spec: VmSpec) {
      calls.push(`create ${spec.id} nics=${(spec.nics ?? []).map((n) => n.tap).join(",")}`);
      specs.set(spec.id, spec);
      return { id: spec.id, state: "running" as const };
    },
    async start(id: string) {
      calls.push(`start ${id}`);
      return { id, state: "running" as const };
    },
    async delete(id: string) {
      calls.push(`delete ${id}`);
      specs.delete(id);
    },
    async readSpec(id: string) {
      return specs.get(id) ?? null;
    },
  } as unknown as HypervisorDriver;
  const images = {
    has: async () => true,
    ensure: async () => "/images/base.qcow2",
    lease: async () => ({ path: "/images/base.qcow2", release: () => undefined }),
  } as unknown as ImageCache;
  const sender = {
    send: async (e: AgentEventInput) => {
      events.push(e);
    },
    close: async () => undefined,
  } as unknown as EventSender;
  const ctx: JobContext = {
    hostId: "0b6f3c2e-1d4a-4b5c-9e8f-7a6b5c4d3e2f",
    jobId: "job-1",
    drivers: new DriverRegistry(
      [driver],
      [{ kind: "sim", available: true, accel: { kvmUsable: false, reason: "no /dev/kvm" } }],
    ),
    images,
    network,
    events: sender,
    log: pino({ level: "silent" }),
  };
  return { ctx, driver, calls, events, specs };
}
