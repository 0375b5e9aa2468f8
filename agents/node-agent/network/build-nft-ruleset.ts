// The whole nftables state of one network as one `nft -f` script: the table is created (so the delete
// cannot fail), deleted and defined again in a single transaction, so a re-apply replaces every rule
// atomically and a packet never sees half a firewall.
import type { NetworkSpec } from "../../protocol/network";
import { parseCidr } from "./cidr";
import { BRIDGE_PREFIX, nameNftTable } from "./network-names";

/**
 * - nat: masquerade what leaves the guests' network through any other interface (NAT off: routed as is).
 * - port forwards: DNAT in prerouting (from outside) and output (from the host itself) for any of the
 *   host's own addresses, with a forward accept so a host firewall with policy drop still lets them in.
 * - isolation: nothing is forwarded from this bridge to another eduCloud bridge; each network's table
 *   drops its own bridge's traffic, so two networks are apart whichever is applied first. Replies
 *   (established) and published port forwards (ct status dnat) pass.
 */
export function buildNftRuleset(spec: NetworkSpec): string {
  const table = nameNftTable(spec.id);
  const { network, prefix } = parseCidr(spec.cidr);
  const cidr = `${network}/${prefix}`;
  const br = JSON.stringify(spec.bridge);
  const dnat = spec.portForwards.map(
    (f) => `fib daddr type local ${f.protocol} dport ${f.hostPort} dnat to ${f.guestIp}:${f.guestPort}`,
  );
  const lines = [
    `table ip ${table} {}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
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
    "  chain forward {",
    "    type filter hook forward priority filter; policy accept;",
    "    ct state established,related accept",
    ...spec.portForwards.map(
      (f) =>
        `    oifname ${br} ip daddr ${f.guestIp} ${f.protocol} dport ${f.guestPort} ct status dnat accept`,
    ),
    `    iifname ${br} oifname ${JSON.stringify(`${BRIDGE_PREFIX}*`)} oifname != ${br} drop`,
    `    iifname ${br} accept`,
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
