import { describe, expect, it } from "vitest";
import { defaultAdvertisedUrl, formatWsUrl, parseListenAddress } from "./listen-address";

describe("console listen address", () => {
  it("parses host:port, [v6]:port and :port", () => {
    expect(parseListenAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListenAddress("0.0.0.0:7901")).toEqual({ host: "0.0.0.0", port: 7901 });
    expect(parseListenAddress("[::1]:7901")).toEqual({ host: "::1", port: 7901 });
    expect(parseListenAddress(":7901")).toEqual({ host: "0.0.0.0", port: 7901 });
    expect(parseListenAddress("agent.lab:7901")).toEqual({ host: "agent.lab", port: 7901 });
  });

  it("refuses anything else with a hint", () => {
    for (const bad of ["7901", "host:", "host:99999", "::1:7901", "a b:1"])
      expect(() => parseListenAddress(bad), bad).toThrow(/host:port/);
  });

  it("advertises the listen address, or the hostname for a wildcard", () => {
    expect(formatWsUrl("::1", 5)).toBe("ws://[::1]:5");
    expect(defaultAdvertisedUrl({ host: "127.0.0.1", port: 4000 })).toBe("ws://127.0.0.1:4000");
    expect(defaultAdvertisedUrl({ host: "0.0.0.0", port: 7901 }, "node7")).toBe("ws://node7:7901");
    expect(defaultAdvertisedUrl({ host: "::", port: 7901 }, "node7")).toBe("ws://node7:7901");
  });
});
