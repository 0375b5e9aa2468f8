// A hypervisor driver that keeps its VMs in memory and records what it was asked: stands in for any
// driver, of any kind, in tests of the code around drivers.
import type { ConsoleKind } from "../../../protocol/console-grant";
import type { HypervisorKind } from "../../../protocol/hypervisor";
import type { NicSpec } from "../../../protocol/network";
import type {
  ConsoleEndpoint,
  HypervisorDriver,
  HypervisorFacts,
  NicNetworkPort,
  VmSpec,
  VmStatus,
} from "../hypervisor-driver";

export interface FakeDriverOptions {
  /** What detect() answers (kind filled in); default available. */
  facts?: Omit<HypervisorFacts, "kind">;
  /** "tap": wants a tap per NIC; "bridge": needs nothing but the bridge. Default "bridge". */
  nics?: "tap" | "bridge";
  /** Where each VM's consoles are; default none. */
  consoles?: (id: string, kind: ConsoleKind) => ConsoleEndpoint;
}

export class FakeDriver implements HypervisorDriver {
  readonly calls: string[] = [];
  readonly vms = new Map<string, { spec: VmSpec; state: VmStatus["state"] }>();

  constructor(
    readonly kind: HypervisorKind,
    private readonly opts: FakeDriverOptions = {},
  ) {}

  async detect(): Promise<HypervisorFacts> {
    return { kind: this.kind, ...(this.opts.facts ?? { available: true }) };
  }
  async create(spec: VmSpec): Promise<VmStatus> {
    this.calls.push(`create ${spec.id} accel=${spec.accel}`);
    this.vms.set(spec.id, { spec, state: "running" });
    return { id: spec.id, state: "running" };
  }
  async start(id: string): Promise<VmStatus> {
    this.calls.push(`start ${id}`);
    this.vm(id).state = "running";
    return { id, state: "running" };
  }
  async stop(id: string): Promise<{ forced: boolean }> {
    this.calls.push(`stop ${id}`);
    this.vm(id).state = "stopped";
    return { forced: false };
  }
  async reboot(id: string): Promise<void> {
    this.calls.push(`reboot ${id}`);
  }
  async delete(id: string): Promise<void> {
    this.calls.push(`delete ${id}`);
    this.vms.delete(id);
  }
  async status(id: string): Promise<VmStatus | null> {
    const vm = this.vms.get(id);
    return vm ? { id, state: vm.state } : null;
  }
  async list(): Promise<VmStatus[]> {
    return [...this.vms].map(([id, vm]) => ({ id, state: vm.state }));
  }
  async readSpec(id: string): Promise<VmSpec | null> {
    return this.vms.get(id)?.spec ?? null;
  }
  async consoleEndpoint(id: string, kind: ConsoleKind): Promise<ConsoleEndpoint | null> {
    if (!this.vms.has(id)) return null;
    this.calls.push(`console ${id} ${kind}`);
    return this.opts.consoles?.(id, kind) ?? { path: `/nonexistent/${id}-${kind}` };
  }
  async baseImagesInUse(): Promise<string[]> {
    return [...this.vms.values()].map((vm) => vm.spec.baseImagePath);
  }
  async prepareNic(nic: NicSpec, network: NicNetworkPort): Promise<void> {
    this.calls.push(`prepareNic ${nic.tap}`);
    if (this.opts.nics === "tap") await network.ensureTap(nic);
  }
  async releaseNic(nic: NicSpec, network: NicNetworkPort): Promise<void> {
    this.calls.push(`releaseNic ${nic.tap}`);
    if (this.opts.nics === "tap") await network.removeTap(nic.tap);
  }

  private vm(id: string) {
    const vm = this.vms.get(id);
    if (!vm) throw new Error(`no VM ${id} on this host`);
    return vm;
  }
}
