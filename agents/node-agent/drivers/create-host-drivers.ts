// Every hypervisor driver this agent can run, registered by kind. A new driver is one line here; the
// registry offers it on the hosts where its detect() finds it usable.
import type { HypervisorKind } from "../../protocol/hypervisor";
import { DriverRegistry } from "./driver-registry";
import type { HypervisorDriver } from "./hypervisor-driver";
import type { GuestCpuGroupOptions } from "./qemu/guest-cpu-group";
import { QemuDriver } from "./qemu/qemu-driver";

/** What every driver gets from the agent. */
export interface DriverHostOptions {
  /** The agent's state directory; each driver keeps its VMs in a folder of its own below it. */
  stateDir: string;
  /** Run VMs inside this network namespace, where the agent builds the networks (tests). */
  netns?: string;
  /** The unprivileged user guests' processes run as (unset: root, tests only); see main.ts. */
  qemuUser?: string;
  /** Each VM's serial log is kept under this size (plus one rotated copy). */
  serialLogMaxBytes?: number;
  /** The CPU group the host's guests share (see qemu/guest-cpu-group.ts); null: none. */
  cpuGroup?: GuestCpuGroupOptions | null;
}

export { DEFAULT_QEMU_USER } from "./qemu/qemu-user";

const DRIVERS: Partial<Record<HypervisorKind, (opts: DriverHostOptions) => HypervisorDriver>> = {
  qemu: ({ qemuUser, ...opts }) => new QemuDriver({ ...opts, runAs: qemuUser }),
};

/** A registry of every known driver; call detect() on it to learn which ones this host offers. */
export function createHostDrivers(opts: DriverHostOptions): DriverRegistry {
  return new DriverRegistry(Object.values(DRIVERS).map((create) => create(opts)));
}
