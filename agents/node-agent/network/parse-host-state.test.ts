import { describe, expect, it } from "vitest";
import { parseIpv4Addresses, parseLinks, parseNftTables } from "./parse-host-state";

describe("parseLinks", () => {
  it("reads name, kind, master, up, carrier and a tap's owner from ip -j -d link show", () => {
    const json = JSON.stringify([
      { ifindex: 1, ifname: "lo", flags: ["LOOPBACK", "UP", "LOWER_UP"] },
      {
        ifindex: 2,
        ifname: "ecbrx",
        flags: ["BROADCAST", "MULTICAST", "UP"],
        linkinfo: { info_kind: "bridge", info_data: {} },
      },
      {
        ifindex: 3,
        ifname: "ectapx",
        flags: ["BROADCAST"],
        master: "ecbrx",
        linkinfo: { info_kind: "tun", info_data: { type: "tap" }, info_slave_kind: "bridge" },
      },
      {
        ifindex: 4,
        ifname: "ectapy",
        flags: ["NO-CARRIER", "BROADCAST", "UP"],
        linkinfo: { info_kind: "tun", info_data: { type: "tap", user: "educloud-qemu", group: "kvm" } },
      },
      {
        ifindex: 5,
        ifname: "ectapz",
        flags: ["BROADCAST", "UP", "LOWER_UP"],
        linkinfo: { info_kind: "tun", info_data: { type: "tap", user: 4321 } },
      },
    ]);
    expect(parseLinks(json)).toEqual([
      { name: "lo", kind: null, master: null, up: true, noCarrier: false },
      { name: "ecbrx", kind: "bridge", master: null, up: true, noCarrier: false },
      { name: "ectapx", kind: "tun", master: "ecbrx", up: false, noCarrier: false },
      { name: "ectapy", kind: "tun", master: null, up: true, noCarrier: true, owner: "educloud-qemu" },
      { name: "ectapz", kind: "tun", master: null, up: true, noCarrier: false, owner: "4321" },
    ]);
  });
  it("fails loudly on output it does not understand", () => {
    expect(() => parseLinks('{"not":"a list"}')).toThrow();
  });
});

describe("parseIpv4Addresses", () => {
  it("reads address and prefix", () => {
    const json =
      '[{"ifindex":2,"ifname":"ecbrx","addr_info":[{"family":"inet","local":"10.1.0.1","prefixlen":24,"scope":"global"}]}]';
    expect(parseIpv4Addresses(json)).toEqual([{ address: "10.1.0.1", prefix: 24 }]);
    expect(parseIpv4Addresses("")).toEqual([]);
  });
});

describe("parseNftTables", () => {
  it("lists tables and skips the metainfo entry", () => {
    const json =
      '{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "ip", "name": "educloud_ab", "handle": 3}}, {"table": {"family": "inet", "name": "filter", "handle": 1}}]}';
    expect(parseNftTables(json)).toEqual(
      [
        { family: "ip", name: "educloud_ab", handle: 3 },
        { family: "inet", name: "filter", handle: 1 },
      ].map(({ family, name }) => expect.objectContaining({ family, name })),
    );
  });
});
