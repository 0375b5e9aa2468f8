import { describe, expect, it } from "vitest";
import { parseIpv4Addresses, parseLinks, parseNftTables } from "./parse-host-state";

describe("parseLinks", () => {
  it("reads name, kind, master and up from ip -j -d link show", () => {
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
    ]);
    expect(parseLinks(json)).toEqual([
      { name: "lo", kind: null, master: null, up: true },
      { name: "ecbrx", kind: "bridge", master: null, up: true },
      { name: "ectapx", kind: "tun", master: "ecbrx", up: false },
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
