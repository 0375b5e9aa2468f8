import { describe, expect, it } from "vitest";
import { ifnameSchema } from "../../protocol/network";
import {
  isEducloudBridge,
  isEducloudTable,
  isEducloudTap,
  nameNicTable,
  nameNftTable,
  nameVlanDevice,
} from "./network-names";

describe("nameNftTable", () => {
  it("uses the whole network id, so two networks never share a table", () => {
    expect(nameNftTable("6F1C2B3A-4d5e-4f60-8a7b-9c0d1e2f3a4b")).toBe(
      "educloud_6f1c2b3a4d5e4f608a7b9c0d1e2f3a4b",
    );
    expect(isEducloudTable(nameNftTable("6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"))).toBe(true);
  });
  it("refuses anything that is not an id (it goes into an nft script)", () => {
    expect(() => nameNftTable("x; flush ruleset")).toThrow(/not a network id/);
  });
});

describe("nameNicTable", () => {
  it("keeps a portal tap name readable, and encodes any other interface name without collisions", () => {
    expect(nameNicTable("ectap0a1b2c3d4e")).toBe("educloud_nic_ectap0a1b2c3d4e");
    expect(nameNicTable("tap-1")).toBe("educloud_nic__7461702d31");
    expect(nameNicTable("tap_1")).not.toBe(nameNicTable("tap-1"));
    expect(nameNicTable("tap.1")).not.toBe(nameNicTable("tap-1"));
  });
  it("refuses anything that is not an interface name (it goes into an nft script)", () => {
    expect(() => nameNicTable('x" ; flush ruleset')).toThrow(/not an interface name/);
    expect(() => nameNicTable("a".repeat(16))).toThrow(/not an interface name/);
  });
});

describe("nameVlanDevice", () => {
  it("is <uplink>.<vlan> when that fits in 15 characters", () => {
    expect(nameVlanDevice("eth0", 100)).toBe("eth0.100");
    expect(nameVlanDevice("enp3s0f1", 4094)).toBe("enp3s0f1.4094");
  });
  it("derives a stable, valid, distinct short name when it does not", () => {
    const long = nameVlanDevice("enp129s0f1np1", 4094);
    expect(long).toMatch(/^ecvl[0-9a-f]{11}$/);
    expect(ifnameSchema.safeParse(long).success).toBe(true);
    expect(nameVlanDevice("enp129s0f1np1", 4094)).toBe(long);
    expect(nameVlanDevice("enp129s0f1np1", 4093)).not.toBe(long);
  });
});

describe("prefixes", () => {
  it("recognises the portal's bridge and tap names", () => {
    expect(isEducloudBridge("ecbr1a2b")).toBe(true);
    expect(isEducloudBridge("br0")).toBe(false);
    expect(isEducloudTap("ectap1a2b")).toBe(true);
    expect(isEducloudTap("tap0")).toBe(false);
  });
});
