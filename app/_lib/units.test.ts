import { describe, expect, it } from "vitest";
import { bytesToGiB, formatBytes, formatNumber, percentOf } from "./units";

describe("units", () => {
  it("formats sizes in the largest binary unit, without digit grouping", () => {
    expect(formatBytes(512, "en")).toBe("512 B");
    expect(formatBytes(1536, "en")).toBe("1.5 KiB");
    expect(formatBytes(2048 * 1024 * 1024, "en")).toBe("2 GiB");
    expect(formatBytes(3000 * 1024 * 1024, "en")).toBe("2.9 GiB");
    expect(formatNumber(2048, "en")).toBe("2048");
    expect(bytesToGiB(1024 ** 3)).toBe(1);
  });

  it("keeps percentages within 0–100, also for a zero total", () => {
    expect(percentOf(2, 8)).toBe(25);
    expect(percentOf(10, 8)).toBe(100);
    expect(percentOf(0, 0)).toBe(0);
    expect(percentOf(1, 0)).toBe(100);
  });
});
