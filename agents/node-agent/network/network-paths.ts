import { join } from "node:path";

/** Everything one network keeps on the host lives in `<stateDir>/networks/<networkId>/`. */
export interface NetworkPaths {
  runDir: string;
  /** dnsmasq's whole configuration, reservations included (see build-dnsmasq-config.ts for why). */
  dnsmasqConf: string;
  dnsmasqPid: string;
  leases: string;
  dnsmasqLog: string;
  /** The last `nft -f` script applied, kept for whoever debugs the host. */
  firewall: string;
  /** What the agent applied last (revision, devices it created): see network-state.ts. */
  state: string;
}

export const resolveNetworksDir = (stateDir: string) => join(stateDir, "networks");

export function resolveNetworkPaths(stateDir: string, networkId: string): NetworkPaths {
  if (!/^[0-9a-f-]{36}$/i.test(networkId)) throw new Error(`not a network id: ${JSON.stringify(networkId)}`);
  const runDir = join(resolveNetworksDir(stateDir), networkId);
  return {
    runDir,
    dnsmasqConf: join(runDir, "dnsmasq.conf"),
    dnsmasqPid: join(runDir, "dnsmasq.pid"),
    leases: join(runDir, "dnsmasq.leases"),
    dnsmasqLog: join(runDir, "dnsmasq.log"),
    firewall: join(runDir, "firewall.nft"),
    state: join(runDir, "state.json"),
  };
}
