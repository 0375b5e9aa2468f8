import { describe, expect, it } from "vitest";
import { clientAddressOf, normalizeAddress, parseTrustProxy, type TrustProxy } from "./client-ip";

const trust = (v: string): TrustProxy => {
  const t = parseTrustProxy(v);
  if ("error" in t) throw new Error(t.error);
  return t;
};

describe("parseTrustProxy", () => {
  it("reads off, one proxy, a number of proxies, and proxy addresses", () => {
    for (const off of ["false", "0", "no", ""]) expect(parseTrustProxy(off)).toEqual({ kind: "none" });
    for (const one of ["true", "yes", "1", "TRUE"])
      expect(parseTrustProxy(one)).toEqual({ kind: "hops", hops: 1 });
    expect(parseTrustProxy("2")).toEqual({ kind: "hops", hops: 2 });
    expect(parseTrustProxy("10.0.0.1, 10.1.0.0/16,::1,fd00::/8")).toEqual({
      kind: "addresses",
      proxies: ["10.0.0.1", "10.1.0.0/16", "::1", "fd00::/8"],
    });
  });

  it("refuses what is none of those", () => {
    for (const bad of ["maybe", "10.0.0.300", "10.0.0.0/33", "10.0.0.1/8/2", "proxy.example", "11"])
      expect(parseTrustProxy(bad)).toHaveProperty("error");
  });
});

describe("clientAddressOf", () => {
  it("ignores X-Forwarded-For unless a proxy is trusted: anyone can send one", () => {
    expect(clientAddressOf("::ffff:203.0.113.9", "198.51.100.1", trust("false"))).toBe("203.0.113.9");
  });

  it("one trusted proxy: the rightmost entry, never the forgeable leftmost", () => {
    // The client sent "1.1.1.1" itself; our proxy appended the address it really came from.
    expect(clientAddressOf("10.0.0.2", "1.1.1.1, 203.0.113.9", trust("true"))).toBe("203.0.113.9");
    expect(clientAddressOf("10.0.0.2", "203.0.113.9", trust("1"))).toBe("203.0.113.9");
  });

  it("N trusted proxies: the entry N from the right", () => {
    // client → CDN (appends client) → nginx (appends CDN) → portal
    expect(clientAddressOf("10.0.0.2", "6.6.6.6, 203.0.113.9, 192.0.2.50", trust("2"))).toBe("203.0.113.9");
    // Several header lines are one list.
    expect(clientAddressOf("10.0.0.2", ["6.6.6.6, 203.0.113.9", "192.0.2.50"], trust("2"))).toBe(
      "203.0.113.9",
    );
  });

  it("fewer entries than trusted proxies: none of them is believed, the peer counts", () => {
    expect(clientAddressOf("10.0.0.2", "203.0.113.9", trust("2"))).toBe("10.0.0.2");
    expect(clientAddressOf("10.0.0.2", undefined, trust("1"))).toBe("10.0.0.2");
  });

  it("garbage where the client's address should be: the peer counts", () => {
    expect(clientAddressOf("10.0.0.2", "1.1.1.1, not-an-address", trust("1"))).toBe("10.0.0.2");
  });

  it("proxy addresses: skips our proxies from the right and takes the first other address", () => {
    const t = trust("10.0.0.0/24, 192.0.2.50");
    expect(clientAddressOf("10.0.0.2", "6.6.6.6, 203.0.113.9, 192.0.2.50", t)).toBe("203.0.113.9");
    expect(clientAddressOf("10.0.0.2", "203.0.113.9", t)).toBe("203.0.113.9");
  });

  it("proxy addresses: a peer that is not one of our proxies is the client, whatever it forwards", () => {
    const t = trust("10.0.0.0/24");
    expect(clientAddressOf("203.0.113.66", "1.1.1.1", t)).toBe("203.0.113.66");
  });

  it("proxy addresses, IPv6 and ports some proxies append", () => {
    const t = trust("::1");
    expect(clientAddressOf("::1", "[2001:db8::7]:51234", t)).toBe("2001:db8::7");
    expect(clientAddressOf("::1", "203.0.113.9:443", t)).toBe("203.0.113.9");
  });
});

describe("normalizeAddress", () => {
  it("unwraps IPv4-mapped addresses and drops ports; refuses non-addresses", () => {
    expect(normalizeAddress("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeAddress(" 192.0.2.1:80 ")).toBe("192.0.2.1");
    expect(normalizeAddress("[::1]:80")).toBe("::1");
    expect(normalizeAddress("example.org")).toBeNull();
  });
});
