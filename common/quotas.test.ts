import { describe, expect, it } from "vitest";
import { quotaLimitsSchema, shareUsed, tighterLimit } from "./quotas";

describe("quota limits", () => {
  it("the tighter of two limits; null is no limit", () => {
    expect(tighterLimit(4, 2)).toBe(2);
    expect(tighterLimit(null, 3)).toBe(3);
    expect(tighterLimit(5, undefined)).toBe(5);
    expect(tighterLimit(null, null)).toBeNull();
    expect(tighterLimit(0, 10)).toBe(0);
  });

  it("how full a limit is: none without a limit, full at a limit of 0 with anything used", () => {
    expect(shareUsed(3, 4)).toBe(0.75);
    expect(shareUsed(5, 4)).toBe(1);
    expect(shareUsed(3, null)).toBeNull();
    expect(shareUsed(0, 0)).toBe(0);
    expect(shareUsed(1, 0)).toBe(1);
  });

  it("every key optional, whole numbers from 0", () => {
    expect(quotaLimitsSchema.parse({})).toEqual({});
    expect(quotaLimitsSchema.parse({ instances: null, ramMiB: 4096 })).toEqual({
      instances: null,
      ramMiB: 4096,
    });
    expect(quotaLimitsSchema.safeParse({ instances: -1 }).success).toBe(false);
    expect(quotaLimitsSchema.safeParse({ vcpus: 1.5 }).success).toBe(false);
  });
});
