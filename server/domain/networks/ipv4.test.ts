import { describe, expect, it } from "vitest";
import { findFreeBlock, formatIpv4, parseCidr, parseIpv4, rangesOverlap } from "./ipv4";
import { generateMac } from "./mac";

describe("ipv4", () => {
  it("parses and formats addresses, refusing what is not one", () => {
    expect(parseIpv4("10.0.0.1")).toBe(0x0a000001);
    expect(formatIpv4(0xc0a80aff)).toBe("192.168.10.255");
    for (const bad of ["10.0.0", "10.0.0.256", "01.0.0.1", "a.b.c.d", "10.0.0.1.2", ""])
      expect(parseIpv4(bad)).toBeNull();
  });

  it("accepts only network addresses within the allowed prefix sizes", () => {
    const ok = parseCidr(" 10.20.0.0/24 ");
    expect(ok).toEqual({
      ok: true,
      cidr: { first: 0x0a140000, last: 0x0a1400ff, prefix: 24, text: "10.20.0.0/24" },
    });
    expect(parseCidr("10.20.0.5/24")).toEqual({
      ok: false,
      reason: "10.20.0.5/24 is not a network address; did you mean 10.20.0.0/24?",
      message: {
        code: "validation.cidrNotNetwork",
        params: { text: "10.20.0.5/24", suggestion: "10.20.0.0/24" },
      },
    });
    expect(parseCidr("10.0.0.0/8").ok).toBe(false);
    expect(parseCidr("10.0.0.0/30").ok).toBe(false);
    expect(parseCidr("10.0.0.0").ok).toBe(false);
  });

  it("detects overlap at the edges", () => {
    expect(rangesOverlap({ first: 0, last: 255 }, { first: 255, last: 300 })).toBe(true);
    expect(rangesOverlap({ first: 0, last: 255 }, { first: 256, last: 300 })).toBe(false);
  });

  it("generates locally administered unicast MACs", () => {
    const mac = generateMac(() => Buffer.from([0xff, 1, 2, 3, 4, 5]));
    expect(mac).toBe("fe:01:02:03:04:05");
    for (let i = 0; i < 200; i++) expect(generateMac()).toMatch(/^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/);
  });

  it("finds the first aligned free block", () => {
    const range = { first: 0, last: 63 };
    expect(findFreeBlock(range, 16, [])).toBe(0);
    expect(findFreeBlock(range, 16, [{ first: 3, last: 3 }])).toBe(16);
    expect(findFreeBlock(range, 32, [{ first: 40, last: 47 }])).toBe(0);
    expect(
      findFreeBlock(range, 32, [
        { first: 8, last: 15 },
        { first: 40, last: 47 },
      ]),
    ).toBeNull();
  });
});
