import { describe, expect, it } from "vitest";
import { isInCidr, parseCidr } from "./cidr";

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
