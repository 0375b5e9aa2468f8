// What a guest may send into its network: one `table netdev` per NIC, hooked at the ingress of the NIC's
// host end (the tap). Ingress runs before the bridge sees the frame, so a dropped frame reaches neither
// a neighbour nor the host, and the bridge never learns a forged MAC on this port. Policy drop: only
// what is listed passes.
import { macSchema, type NicSpec } from "../../protocol/network";
import { ipToNumber } from "./cidr";
import { nameNicTable } from "./network-names";

/** Offset of BOOTP's `chaddr` (client hardware address) from the UDP header, in bits: 8 + 28 bytes. */
const DHCP_CHADDR_BITS = (8 + 28) * 8;

/** The table is created (so the delete cannot fail), deleted and defined again in one transaction. */
function replaceTable(port: string, rules: string[]): string {
  const table = nameNicTable(port);
  return [
    `table netdev ${table} {}`,
    `delete table netdev ${table}`,
    `table netdev ${table} {`,
    "  chain ingress {",
    `    type filter hook ingress device ${JSON.stringify(port)} priority -500; policy drop;`,
    ...rules.map((r) => `    ${r}`),
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * Frames from the guest pass only from its own MAC, and only as:
 * - ARP naming its own MAC and its own address (or 0.0.0.0: the probe a DHCP client sends before it
 *   uses an address), so it cannot take a neighbour's address in anyone's ARP cache;
 * - IPv4 from its own address, or a DHCP request from 0.0.0.0 to broadcast (how a client asks first);
 *   DHCP requests only for its own MAC (chaddr), so it cannot take or release a neighbour's lease;
 *   never from DHCP's server port, so it cannot answer its neighbours' DHCP requests.
 * Everything else — IPv6, VLAN tags, other ethertypes, another source — is dropped by the policy.
 */
export function buildNicFilter(nic: Pick<NicSpec, "tap" | "mac" | "ip">): string {
  // Both go into the script: recheck them here, whatever the caller validated.
  macSchema.parse(nic.mac);
  ipToNumber(nic.ip);
  const macHex = `0x${nic.mac.replaceAll(":", "")}`;
  return replaceTable(nic.tap, [
    `ether saddr != ${nic.mac} drop`,
    // A tagged frame would leave through a trunk uplink on another VLAN.
    "ether type { 8021q, 8021ad } drop",
    `arp htype 1 arp ptype ip arp hlen 6 arp plen 4 arp saddr ether ${nic.mac} arp saddr ip { ${nic.ip}, 0.0.0.0 } accept`,
    "udp sport 67 drop",
    `udp dport 67 @th,${DHCP_CHADDR_BITS},48 != ${macHex} drop`,
    "ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 accept",
    `ip saddr ${nic.ip} accept`,
  ]);
}

/** For a port on a guest bridge whose NIC the agent does not know: nothing it sends passes. */
export function buildNicDenyAll(port: string): string {
  return replaceTable(port, []);
}

/** Deletes a port's table; a no-op when it does not exist. */
export function buildNicFilterDelete(port: string): string {
  const table = nameNicTable(port);
  return `table netdev ${table} {}\ndelete table netdev ${table}\n`;
}
