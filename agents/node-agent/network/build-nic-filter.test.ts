import { describe, expect, it } from "vitest";
import { buildNicDenyAll, buildNicFilter, buildNicFilterDelete } from "./build-nic-filter";

const nic = { tap: "ectap0a1b2c3d4e", mac: "02:ec:00:00:00:0a", ip: "10.20.30.10" };
const table = "educloud_nic_ectap0a1b2c3d4e";

/** The rules of the ingress chain, trimmed, without its type line. */
function rules(script: string): string[] {
  const body = /chain ingress \{\n([\s\S]*?)\n {2}\}/.exec(script)?.[1];
  if (body === undefined) throw new Error("no ingress chain");
  return body.split("\n").map((l) => l.trim());
}

describe("buildNicFilter", () => {
  it("replaces the NIC's table atomically, hooked at its port's ingress, dropping what no rule accepts", () => {
    const script = buildNicFilter(nic);
    expect(script.split("\n").slice(0, 3)).toEqual([
      `table netdev ${table} {}`,
      `delete table netdev ${table}`,
      `table netdev ${table} {`,
    ]);
    expect(rules(script)[0]).toBe(
      'type filter hook ingress device "ectap0a1b2c3d4e" priority -500; policy drop;',
    );
  });

  it("accepts only the NIC's own MAC, its own ARP and address, and DHCP requests for itself", () => {
    expect(rules(buildNicFilter(nic)).slice(1)).toEqual([
      "ether saddr != 02:ec:00:00:00:0a drop",
      "ether type { 8021q, 8021ad } drop",
      "arp htype 1 arp ptype ip arp hlen 6 arp plen 4 arp saddr ether 02:ec:00:00:00:0a arp saddr ip { 10.20.30.10, 0.0.0.0 } accept",
      "udp sport 67 drop",
      "udp dport 67 @th,288,48 != 0x02ec0000000a drop",
      "ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 accept",
      "ip saddr 10.20.30.10 accept",
    ]);
  });

  it("refuses a MAC or an address that could change the script", () => {
    expect(() => buildNicFilter({ ...nic, mac: "02:ec:00:00:00:0a drop; accept" })).toThrow();
    expect(() => buildNicFilter({ ...nic, ip: "0.0.0.0/0" })).toThrow(/not an IPv4/);
    expect(() => buildNicFilter({ ...nic, tap: 'x" accept' })).toThrow(/not an interface name/);
  });
});

describe("buildNicDenyAll / buildNicFilterDelete", () => {
  it("gives an unknown port a table without a single accept", () => {
    expect(rules(buildNicDenyAll("ectapzz"))).toEqual([
      'type filter hook ingress device "ectapzz" priority -500; policy drop;',
    ]);
  });
  it("deletes a table without failing when it is already gone", () => {
    expect(buildNicFilterDelete(nic.tap)).toBe(`table netdev ${table} {}\ndelete table netdev ${table}\n`);
  });
});
