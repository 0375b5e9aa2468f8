// argv builders for iproute2 and sysctl. Pure: every value comes from the zod-validated spec and is
// passed as its own argv element (no shell), so a name can never become an option or a second command.

export type HostCommand = readonly string[];

export const addBridge = (bridge: string): HostCommand => [
  "ip",
  "link",
  "add",
  "name",
  bridge,
  "type",
  "bridge",
];
/**
 * A persistent tap; with `owner`, that user (and group) may attach to it without CAP_NET_ADMIN: QEMU,
 * which runs unprivileged, opens it by name.
 */
export const addTap = (tap: string, owner?: TapOwner): HostCommand => [
  ...["ip", "tuntap", "add", "dev", tap, "mode", "tap"],
  ...(owner ? ["user", String(owner.uid), "group", String(owner.gid)] : []),
];

/** Who may attach to a tap, by number (never a name: no lookup, nothing to parse as an option). */
export interface TapOwner {
  uid: number;
  gid: number;
}
export const addVlanDevice = (uplink: string, device: string, vlanId: number): HostCommand => [
  "ip",
  "link",
  "add",
  "link",
  uplink,
  "name",
  device,
  "type",
  "vlan",
  "id",
  String(vlanId),
];
export const deleteLink = (device: string): HostCommand => ["ip", "link", "del", "dev", device];
export const setLinkUp = (device: string): HostCommand => ["ip", "link", "set", "dev", device, "up"];
export const setLinkMaster = (device: string, bridge: string): HostCommand => [
  "ip",
  "link",
  "set",
  "dev",
  device,
  "master",
  bridge,
];
export const setLinkNoMaster = (device: string): HostCommand => [
  "ip",
  "link",
  "set",
  "dev",
  device,
  "nomaster",
];
/** `replace` (not `add`): re-applying the same address is not an error. */
export const replaceAddress = (address: string, prefix: number, device: string): HostCommand => [
  "ip",
  "addr",
  "replace",
  `${address}/${prefix}`,
  "dev",
  device,
];
export const deleteAddress = (address: string, prefix: number, device: string): HostCommand => [
  "ip",
  "addr",
  "del",
  `${address}/${prefix}`,
  "dev",
  device,
];
/** Every link with its kind (`-d`) and master, as JSON. */
export const showLinks = (): HostCommand => ["ip", "-j", "-d", "link", "show"];
export const showIpv4Addresses = (device: string): HostCommand => [
  "ip",
  "-j",
  "-4",
  "addr",
  "show",
  "dev",
  device,
];
/** Guests use the host as their router; inside a namespace this is the namespace's own switch. */
export const enableIpForwarding = (): HostCommand => ["sysctl", "-qw", "net.ipv4.ip_forward=1"];

/** What `cmd` becomes when the agent works inside network namespace `netns` (tests; see README). */
export function inNamespace(cmd: HostCommand, netns: string | undefined): HostCommand {
  return netns ? ["ip", "netns", "exec", netns, ...cmd] : cmd;
}
