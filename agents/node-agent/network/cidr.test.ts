import { describe, expect, it } from "vitest";
import { isInCidr, normalizeCidr, parseCidr } from "./cidr";

describe("parseCidr", () => {
  it("gives the network address and netmask", () => {
    expect(parseCidr("10.20.30.0/24")).toEqual({
      network: "10.20.30.0",
      prefix: 24,
      netmask: "255.255.255.0",
    });
    expect(parseCidr("172.16.5.77/20")).toEqual({
      network: "172.16.0.0",
      prefix: 20,
      netmask: "255.255.240.0",
    });
    expect(parseCidr("192.168.1.8/30")).toEqual({
      network: "192.168.1.8",
      prefix: 30,
      netmask: "255.255.255.252",
    });
  });
  it("refuses octets over 255 and prefixes without room for guests", () => {
    expect(() => parseCidr("10.300.0.0/24")).toThrow();
    expect(() => parseCidr("10.0.0.0/31")).toThrow();
    expect(() => parseCidr("10.0.0.0/7")).toThrow();
    expect(() => parseCidr("10.0.0.0")).toThrow();
  });
});

describe("isInCidr", () => {
  it("includes the whole block and nothing beyond it", () => {
    const c = parseCidr("10.20.30.0/24");
    expect(isInCidr("10.20.30.0", c)).toBe(true);
    expect(isInCidr("10.20.30.255", c)).toBe(true);
    expect(isInCidr("10.20.31.0", c)).toBe(false);
    expect(isInCidr("10.20.29.255", c)).toBe(false);
  });
});

describe("normalizeCidr", () => {
  it("clears host bits for any prefix, single hosts and everything included", () => {
    expect(normalizeCidr("10.1.2.3/8")).toBe("10.0.0.0/8");
    expect(normalizeCidr("172.31.255.255/12")).toBe("172.16.0.0/12");
    expect(normalizeCidr("192.0.2.7/32")).toBe("192.0.2.7/32");
    expect(normalizeCidr("8.8.8.8/0")).toBe("0.0.0.0/0");
  });
  it("refuses what is not a CIDR (it goes into an nft script)", () => {
    for (const bad of ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/8/8", "10.0.0.0/8 }", "x/8"])
      expect(() => normalizeCidr(bad), bad).toThrow(/not an IPv4/);
  });
});
