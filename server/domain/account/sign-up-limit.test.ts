import { describe, expect, it } from "vitest";
import { addressBucketOf } from "./sign-up-limit";

describe("the address the sign-up limit counts", () => {
  it("an IPv4 address as it is", () => {
    expect(addressBucketOf("10.1.2.3")).toBe("10.1.2.3");
    expect(addressBucketOf(null)).toBe("none");
  });

  it("an IPv6 address by its /64: every spelling of one /64 is one bucket", () => {
    const one = [
      "2001:db8:1:2::1",
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:0DB8:0001:0002:abcd:0:0:7",
      "2001:db8:1:2:1::",
      "2001:db8:1:2::192.0.2.1",
      "2001:db8:1:2::1%eth0",
    ].map(addressBucketOf);
    expect(new Set(one)).toEqual(new Set(["2001:db8:1:2::/64"]));
    expect(addressBucketOf("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(addressBucketOf("::1")).toBe("0:0:0:0::/64");
    expect(addressBucketOf("fe80::1")).toBe("fe80:0:0:0::/64");
  });

  it("an IPv4-mapped IPv6 address is its IPv4 client", () => {
    expect(addressBucketOf("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(addressBucketOf("::ffff:a01:203")).toBe("10.1.2.3");
  });
});
