// The whole nftables state of one network as one `nft -f` script: the table is created (so the delete
// cannot fail), deleted and defined again in a single transaction, so a re-apply replaces every rule
// atomically and a packet never sees half a firewall.
import type { NetworkSpec } from "../../protocol/network";
import { normalizeCidr, parseCidr } from "./cidr";
import { BRIDGE_PREFIX, nameNftTable } from "./network-names";

/**
 * What guests may not reach through the host when the spec does not say: every private (RFC 1918),
 * shared (RFC 6598) and link-local range. A school's management network, its servers, the portal,
 * Redis and MariaDB live in these; the internet does not. An admin who wants guests to reach a school
 * server sends a narrower list.
 */
export const DEFAULT_BLOCKED_EGRESS: readonly string[] = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "169.254.0.0/16",
];

/**
 * Everything is scoped to this network's bridge, so one network's table never decides for another's
 * or for the host's own traffic; within that scope what is not accepted is dropped.
 * - input (guest → host): DHCP, DNS only when the spec names the gateway as a DNS server, ping to the
 *   gateway, replies to what the host started; nothing else, so no host service (Redis, MariaDB, the
 *   portal, the console bridge, sshd…) answers a guest on any of the host's addresses.
 * - forward, from the guests: replies and their own bridge (neighbours, hairpinned port forwards),
 *   then no other eduCloud bridge and no blocked destination; what is left leaves from the network's
 *   own addresses.
 * - forward, to the guests: replies and published port forwards; new connections from outside only
 *   when the network is routed (NAT off), and never from another eduCloud bridge.
 * - nat: masquerade what leaves the guests' network through any other interface (NAT off: routed as is).
 * - port forwards: DNAT in prerouting (from outside) and output (from the host itself) for any of the
 *   host's own addresses.
 * Two networks are apart even when only one of their tables is in place.
 */
export function buildNftRuleset(spec: NetworkSpec): string {
  const table = nameNftTable(spec.id);
  const { network, prefix } = parseCidr(spec.cidr);
  const cidr = `${network}/${prefix}`;
  const br = JSON.stringify(spec.bridge);
  const otherBridges = JSON.stringify(`${BRIDGE_PREFIX}*`);
  const blocked = (spec.blockedEgress ?? DEFAULT_BLOCKED_EGRESS).map(normalizeCidr);
  const hostServesDns = spec.dnsServers.includes(spec.gateway);
  const dnat = spec.portForwards.map(
    (f) => `fib daddr type local ${f.protocol} dport ${f.hostPort} dnat to ${f.guestIp}:${f.guestPort}`,
  );
  const lines = [
    `table ip ${table} {}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    ...(blocked.length
      ? [
          "  set blocked_egress {",
          "    type ipv4_addr; flags interval; auto-merge;",
          `    elements = { ${blocked.join(", ")} }`,
          "  }",
        ]
      : []),
    "  chain prerouting {",
    "    type nat hook prerouting priority dstnat; policy accept;",
    ...dnat.map((r) => `    ${r}`),
    "  }",
    "  chain output {",
    "    type nat hook output priority -100; policy accept;",
    ...dnat.map((r) => `    ${r}`),
    "  }",
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    ...(spec.nat ? [`    ip saddr ${cidr} oifname != ${br} masquerade`] : []),
    // Hairpin: a guest reaching a forward to a neighbour on its own bridge must see the reply come back
    // through the host, or the neighbour answers it directly and the guest drops the stray reply.
    ...(spec.portForwards.length ? [`    oifname ${br} ip saddr ${cidr} ct status dnat masquerade`] : []),
    "  }",
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    `    iifname != ${br} accept`,
    "    ct state established,related accept",
    "    udp sport 68 udp dport 67 accept",
    ...(hostServesDns ? [`    ip daddr ${spec.gateway} meta l4proto { tcp, udp } th dport 53 accept`] : []),
    `    ip daddr ${spec.gateway} icmp type echo-request limit rate 100/second accept`,
    "    drop",
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter; policy accept;",
    "    ct state established,related accept",
    // Guests of one network meet on their bridge. Frames between them reach this hook too where
    // br_netfilter is loaded (Docker loads it; bridged IPv4 then passes the ip hooks with the bridge as
    // both interfaces), and hairpinned port forwards come back out of the same bridge.
    `    iifname ${br} oifname ${br} accept`,
    `    iifname ${br} ct state invalid drop`,
    `    oifname ${br} ct state invalid drop`,
    ...spec.portForwards.map(
      (f) =>
        `    oifname ${br} ip daddr ${f.guestIp} ${f.protocol} dport ${f.guestPort} ct status dnat accept`,
    ),
    `    iifname ${br} oifname ${otherBridges} drop`,
    `    oifname ${br} iifname ${otherBridges} drop`,
    ...(blocked.length ? [`    iifname ${br} ip daddr @blocked_egress drop`] : []),
    `    iifname ${br} ip saddr ${cidr} accept`,
    `    iifname ${br} drop`,
    ...(spec.nat ? [] : [`    oifname ${br} ip daddr ${cidr} accept`]),
    `    oifname ${br} drop`,
    "  }",
    "}",
  ];
  return `${lines.join("\n")}\n`;
}

/** Deletes the network's table; a no-op when it does not exist (it is created first, in the same transaction). */
export function buildNftDeleteScript(networkId: string): string {
  const table = nameNftTable(networkId);
  return `table ip ${table} {}\ndelete table ip ${table}\n`;
}

export const applyNftScript = (path: string): readonly string[] => ["nft", "-f", path];
/** Reads the script from stdin. */
export const applyNftStdin = (): readonly string[] => ["nft", "-f", "-"];
export const listNftTables = (): readonly string[] => ["nft", "-j", "list", "tables"];
