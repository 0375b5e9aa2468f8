import type { NicSpec } from "../../protocol/network";
import type { HypervisorDriver } from "../drivers/hypervisor-driver";
import type { JobContext } from "./job-context";

/**
 * Each NIC's network (bridge, DHCP, firewall), then whatever the VM's driver needs on it (a tap, or
 * nothing but the bridge), in NIC order. A network already applied at this or a newer revision is only
 * checked, not rebuilt (HostNetwork.applyNetwork).
 */
export async function prepareNics(
  ctx: JobContext,
  driver: HypervisorDriver,
  nics: readonly NicSpec[],
): Promise<void> {
  for (const nic of nics) {
    await ctx.network.applyNetwork(nic.network);
    await driver.prepareNic(nic, ctx.network);
  }
}

/** After the VM is gone: what prepareNics made for each NIC (the networks stay: others use them). */
export async function releaseNics(
  ctx: JobContext,
  driver: HypervisorDriver,
  nics: readonly NicSpec[],
): Promise<void> {
  for (const nic of nics) await driver.releaseNic(nic, ctx.network);
}
