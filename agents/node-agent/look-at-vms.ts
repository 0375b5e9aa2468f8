// What a heartbeat reports about the host's VMs, and as of when.
import type { DriverRegistry } from "./drivers/driver-registry";
import { isLocalVmId } from "./local/local-desktop";

/**
 * Lists the portal's VMs on this host, stamped with the moment the look began. The portal ignores a
 * heartbeat taken before an instance's last change (a VM seen stopped during its create or reset,
 * reported after its RUNNING): stamped after a slow look instead, that stale "stopped" would pass as
 * news and the instance be marked STOPPED — for a pool's desktop, replaced as died.
 */
export async function lookAtVms(
  drivers: Pick<DriverRegistry, "listVms">,
  quick: boolean,
): Promise<{ at: Date; vms: Awaited<ReturnType<DriverRegistry["listVms"]>> }> {
  const at = new Date();
  // A lab PC's own local desktops are not the portal's instances (local/local-desktop.ts).
  const vms = (await drivers.listVms({ quick })).filter(({ vm }) => !isLocalVmId(vm.id));
  return { at, vms };
}
