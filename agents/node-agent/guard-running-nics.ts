// At agent start, before any job: the taps of VMs that kept running while the agent was away get their
// NICs' filters back. Otherwise the next network.apply would find them unfiltered and deny them all
// traffic (HostNetwork.denyUnguardedPorts) until their VMs restart.
import type { Logger } from "pino";
import type { NicSpec } from "../protocol/network";
import type { DriverRegistry } from "./drivers/driver-registry";

export async function guardRunningNics(
  drivers: Pick<DriverRegistry, "listVms">,
  network: { guardExistingTaps(nics: readonly NicSpec[]): Promise<void> },
  log: Logger,
): Promise<void> {
  for (const { driver, vm } of await drivers.listVms({ quick: true })) {
    // Paused and stopped VMs too: guardExistingTaps touches only taps that exist.
    if (!driver.readSpec) continue;
    try {
      const nics = (await driver.readSpec(vm.id))?.nics ?? [];
      if (nics.length) await network.guardExistingTaps(nics);
    } catch (err) {
      // One VM's trouble must not keep the agent from starting; its taps stay as they are.
      log.warn(
        { vm: vm.id, err: (err as Error).message },
        "could not put the NIC filters back on a VM's taps",
      );
    }
  }
}
