// dnsmasq for one network: DHCP only (DNS off), answering on the network's bridge and nowhere else,
// handing out exactly the reserved addresses.
//
// Reservations are `dhcp-host` lines in the configuration file rather than a `dhcp-hostsfile` reloaded
// by SIGHUP: dnsmasq drops to `nobody` right after reading its configuration, and nobody cannot reach
// a file under the agent's state directory (0700, and it holds credentials and cached images). So a
// changed configuration means a restart (≈50 ms; leases survive in the lease file), and an unchanged
// one leaves the running dnsmasq alone.
import type { NetworkSpec } from "../../protocol/network";
import { isInCidr, parseCidr } from "./cidr";
import type { NetworkPaths } from "./network-paths";

export function buildDnsmasqConfig(
  spec: NetworkSpec,
  paths: Pick<NetworkPaths, "dnsmasqPid" | "leases" | "dnsmasqLog">,
): string {
  const cidr = parseCidr(spec.cidr);
  if (!isInCidr(spec.gateway, cidr)) throw new Error(`gateway ${spec.gateway} is outside ${spec.cidr}`);
  const lines = [
    `# eduCloud network ${spec.id} (${spec.name.replace(/[\r\n]/g, " ")}), revision ${spec.revision}. Written by the agent: edits are lost.`,
    "port=0",
    "bind-interfaces",
    `interface=${spec.bridge}`,
    "except-interface=lo",
    "no-resolv",
    "no-hosts",
    // static: only hosts with a dhcp-host line get an address; anything else on the segment is ignored.
    `dhcp-range=${cidr.network},static,${cidr.netmask},1h`,
    `dhcp-option=option:router,${spec.gateway}`,
    ...(spec.dnsServers.length ? [`dhcp-option=option:dns-server,${spec.dnsServers.join(",")}`] : []),
    `pid-file=${paths.dnsmasqPid}`,
    `dhcp-leasefile=${paths.leases}`,
    `log-facility=${paths.dnsmasqLog}`,
    // Routine DHCP exchanges would grow the log forever; start-up and errors are still logged.
    "quiet-dhcp",
  ];
  for (const r of spec.reservations) {
    if (!isInCidr(r.ip, cidr)) throw new Error(`reservation ${r.ip} is outside ${spec.cidr}`);
    lines.push(`dhcp-host=${[r.mac, r.ip, ...(r.hostname ? [r.hostname] : [])].join(",")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Everything is in the conf file; its path in argv is also how the agent recognises its own dnsmasq. */
export const startDnsmasq = (confPath: string): readonly string[] => ["dnsmasq", `--conf-file=${confPath}`];
