// Which hypervisors this host offers, and which driver a job or a VM belongs to. The rest of the agent
// (job handlers, console bridge, image cache, heartbeats) reaches drivers only through here, so a new
// hypervisor needs no branch anywhere else.
import type { ConsoleKind } from "../../protocol/console-grant";
import type { AgentMessage } from "../../protocol/agent-message";
import type { HypervisorKind } from "../../protocol/hypervisor";
import { PermanentJobError } from "../permanent-job-error";
import type {
  Accelerator,
  ConsoleEndpoint,
  HypervisorDriver,
  HypervisorFacts,
  VmStatus,
} from "./hypervisor-driver";

/** The job asks for a hypervisor this host does not offer: retrying cannot help. */
export class UnsupportedHypervisorError extends PermanentJobError {
  constructor(message: string, agentMessage: AgentMessage) {
    super(message, agentMessage);
    this.name = "UnsupportedHypervisorError";
  }
}

export class DriverRegistry {
  private readonly drivers = new Map<HypervisorKind, HypervisorDriver>();
  /** What each driver's last probe found; a driver is offered when it found it available. */
  private readonly facts = new Map<HypervisorKind, HypervisorFacts>();

  /** `detected`: facts already known (tests); otherwise nothing is offered until detect() has run. */
  constructor(drivers: readonly HypervisorDriver[], detected: readonly HypervisorFacts[] = []) {
    for (const driver of drivers) {
      if (this.drivers.has(driver.kind)) throw new Error(`two ${driver.kind} drivers registered`);
      this.drivers.set(driver.kind, driver);
    }
    for (const f of detected) this.facts.set(f.kind, f);
  }

  /**
   * Every registered driver, offered or not: the VMs of a hypervisor that stopped being usable (a
   * package removed) are still its VMs, to be listed, stopped and deleted.
   */
  all(): HypervisorDriver[] {
    return [...this.drivers.values()];
  }

  /**
   * Probes every driver (installed? which version? acceleration usable?). What is available becomes
   * the host's offer. Runs with every collection of the host's facts, so a hypervisor installed later
   * is offered without restarting the agent.
   */
  async detect(): Promise<HypervisorFacts[]> {
    const detected = await Promise.all(
      this.all().map((d) =>
        d.detect().catch((err: unknown): HypervisorFacts => ({
          kind: d.kind,
          available: false,
          reason: `detection failed: ${(err as Error).message}`,
        })),
      ),
    );
    for (const [i, f] of detected.entries()) this.facts.set(this.all()[i]!.kind, f);
    return detected;
  }

  /** The kinds this host takes instance.create jobs for. */
  offered(): HypervisorKind[] {
    return this.all()
      .filter((d) => this.facts.get(d.kind)?.available)
      .map((d) => d.kind);
  }

  /** The driver that builds a new VM of this hypervisor; refuses one this host does not offer. */
  forHypervisor(kind: string): HypervisorDriver {
    const driver = this.drivers.get(kind as HypervisorKind);
    if (!driver) {
      const offered = this.offered().join(", ");
      throw new UnsupportedHypervisorError(
        `this host's agent has no ${kind} driver (it offers ${offered || "no hypervisor"})`,
        { code: "agent.noDriver", params: { kind, offered: offered || "none" } },
      );
    }
    const facts = this.facts.get(driver.kind);
    if (!facts?.available)
      throw new UnsupportedHypervisorError(
        `this host does not offer ${kind}: ${facts?.reason ?? "it has not been detected yet"}`,
        // The driver's reason is its probe's own words: a parameter.
        { code: "agent.hypervisorNotOffered", params: { kind, reason: facts?.reason ?? "undetected" } },
      );
    return driver;
  }

  /**
   * The driver that has VM `id`: its own record of the VM says so (not a job, which might name
   * anything). Null when no driver has it, e.g. after it was deleted.
   */
  async forVm(id: string): Promise<HypervisorDriver | null> {
    for (const driver of this.all()) if (await driver.status(id, { quick: true })) return driver;
    return null;
  }

  /**
   * The driver that keeps this host's data volumes: the first one offered. Volume jobs name no VM and
   * no hypervisor, so with several offered the first registered wins.
   */
  forVolumes(): HypervisorDriver {
    const kind = this.offered()[0];
    if (!kind)
      throw new UnsupportedHypervisorError("this host offers no hypervisor to keep volumes with", {
        code: "agent.noVolumeHypervisor",
        params: {},
      });
    return this.drivers.get(kind)!;
  }

  /** The accelerator to ask the driver for: what its probe found usable ("none" if it has no such notion). */
  accelFor(driver: HypervisorDriver): Accelerator {
    const accel = this.facts.get(driver.kind)?.accel;
    if (!accel) return "none";
    return accel.kvmUsable ? "kvm" : "tcg";
  }

  /** Every VM of every driver, with the driver that has it. */
  async listVms(opts: { quick?: boolean } = {}): Promise<{ driver: HypervisorDriver; vm: VmStatus }[]> {
    const found: { driver: HypervisorDriver; vm: VmStatus }[] = [];
    for (const driver of this.all()) for (const vm of await driver.list(opts)) found.push({ driver, vm });
    return found;
  }

  /** Base images any driver's VMs depend on (the image cache keeps them). */
  async baseImagesInUse(): Promise<string[]> {
    return (await Promise.all(this.all().map((d) => d.baseImagesInUse()))).flat();
  }

  /** The console bridge's way to a VM's console, through whichever driver has the VM. */
  async consoleEndpoint(id: string, kind: ConsoleKind): Promise<ConsoleEndpoint | null> {
    return (await this.forVm(id))?.consoleEndpoint(id, kind) ?? null;
  }

  /** The thumbnail endpoint's screenshot, through whichever driver has the VM (null: none can). */
  async screenshot(id: string): Promise<Buffer | null> {
    const driver = await this.forVm(id);
    return driver?.screenshot ? driver.screenshot(id) : null;
  }
}
