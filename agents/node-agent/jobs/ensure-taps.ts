import type { NicSpec } from "../../protocol/network";
import type { JobContext } from "./job-context";

/**
 * Each NIC's network (bridge, DHCP, firewall) and its tap on that bridge, in NIC order. A network
 * already applied at this or a newer revision is only checked, not rebuilt (HostNetwork.applyNetwork).
 */
export async function ensureTaps(ctx: JobContext, nics: readonly NicSpec[]): Promise<void> {
  for (const nic of nics) {
    await ctx.network.applyNetwork(nic.network);
    await ctx.network.ensureTap(nic);
  }
}
