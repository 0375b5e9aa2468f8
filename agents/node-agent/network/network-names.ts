// Names of what the agent builds on a host for a network. Bridges and taps are named by the portal
// (always with these prefixes); the agent derives the rest, so a sweep can find everything it made.
import { createHash } from "node:crypto";

export const BRIDGE_PREFIX = "ecbr";
export const TAP_PREFIX = "ectap";
export const NFT_TABLE_PREFIX = "educloud_";
/** Per-NIC anti-spoofing tables (`table netdev educloud_nic_<tap>`); they share NFT_TABLE_PREFIX. */
export const NIC_TABLE_PREFIX = "educloud_nic_";
/** Derived VLAN device names, used only when `<uplink>.<vlanId>` would exceed 15 characters. */
export const VLAN_PREFIX = "ecvl";

const MAX_IFNAME = 15;

/** One nftables table per network (`table ip educloud_<id without dashes>`): a whole id, so two networks never share one. */
export function nameNftTable(networkId: string): string {
  const hex = networkId.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a network id: ${JSON.stringify(networkId)}`);
  return `${NFT_TABLE_PREFIX}${hex}`;
}

/**
 * The anti-spoofing table of the NIC whose host end is `port`. Tap names from the portal are letters
 * and digits and are used as they are; any other interface name is hex-encoded after a second `_`
 * (nft identifiers have no `-`), so two ports never share a table.
 */
export function nameNicTable(port: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/.test(port))
    throw new Error(`not an interface name: ${JSON.stringify(port)}`);
  if (/^[a-zA-Z0-9]+$/.test(port)) return `${NIC_TABLE_PREFIX}${port}`;
  return `${NIC_TABLE_PREFIX}_${Buffer.from(port, "utf8").toString("hex")}`;
}

/**
 * The 802.1q device that carries `vlanId` on `uplink`: the conventional `<uplink>.<vlanId>` when it fits
 * Linux's 15 characters, else `ecvl` + a hash of both (stable, so a re-apply finds the same device).
 */
export function nameVlanDevice(uplink: string, vlanId: number): string {
  const conventional = `${uplink}.${vlanId}`;
  if (conventional.length <= MAX_IFNAME) return conventional;
  const hash = createHash("sha256").update(conventional).digest("hex");
  return `${VLAN_PREFIX}${hash.slice(0, MAX_IFNAME - VLAN_PREFIX.length)}`;
}

export const isEducloudBridge = (name: string) => name.startsWith(BRIDGE_PREFIX);
export const isEducloudTap = (name: string) => name.startsWith(TAP_PREFIX);
export const isEducloudTable = (name: string) => name.startsWith(NFT_TABLE_PREFIX);
export const isEducloudNicTable = (name: string) => name.startsWith(NIC_TABLE_PREFIX);
