import { describe, expect, it } from "vitest";
import { cidrProblem, collapseArrayErrors, formatCountdown, parseDnsList } from "./network-input";

describe("network form helpers", () => {
  it("reads DNS servers separated by commas, spaces or semicolons", () => {
    expect(parseDnsList("")).toEqual([]);
    expect(parseDnsList("  ")).toEqual([]);
    expect(parseDnsList("1.1.1.1, 9.9.9.9")).toEqual(["1.1.1.1", "9.9.9.9"]);
    expect(parseDnsList("1.1.1.1 9.9.9.9;8.8.8.8,")).toEqual(["1.1.1.1", "9.9.9.9", "8.8.8.8"]);
  });

  it("shows the first problem of a list element on the list's field", () => {
    expect(
      collapseArrayErrors(
        { "dnsServers.1": "Not an IPv4 address", "dnsServers.2": "other", name: "Required." },
        ["dnsServers"],
      ),
    ).toEqual({ dnsServers: "Not an IPv4 address", name: "Required." });
  });

  it("formats a countdown as m:ss or h:mm:ss, never negative", () => {
    expect(formatCountdown(119)).toBe("1:59");
    expect(formatCountdown(5)).toBe("0:05");
    expect(formatCountdown(3725)).toBe("1:02:05");
    expect(formatCountdown(-3)).toBe("0:00");
  });
});

describe("cidrProblem", () => {
  it("names the rule a CIDR breaks, like the server's parser", () => {
    expect(cidrProblem("10.0.0.0/24")).toBeNull();
    expect(cidrProblem("10.0.0/24")?.key).toBe("format");
    expect(cidrProblem("10.0.0.0/8")).toEqual({ key: "prefix", values: { min: "16", max: "29" } });
    expect(cidrProblem("10.0.0.5/24")).toEqual({
      key: "notNetwork",
      values: { text: "10.0.0.5/24", suggestion: "10.0.0.0/24" },
    });
  });
});
