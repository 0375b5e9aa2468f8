import { describe, expect, it } from "vitest";
import { parseRange, rangeApplies } from "./http-range";

describe("parseRange", () => {
  it.each([
    ["bytes=0-99", { start: 0, end: 99 }],
    ["bytes=100-", { start: 100, end: 999 }],
    ["bytes=-100", { start: 900, end: 999 }],
    ["bytes=900-5000", { start: 900, end: 999 }],
  ])("%s of 1000 bytes", (h, want) => expect(parseRange(h, 1000)).toEqual(want));

  it("serves the whole file for no or unsupported ranges", () => {
    expect(parseRange(null, 1000)).toBeNull();
    expect(parseRange("bytes=0-1,5-6", 1000)).toBeNull();
    expect(parseRange("items=0-1", 1000)).toBeNull();
  });

  it("says 416 for a range past the end", () => {
    expect(parseRange("bytes=1000-", 1000)).toBe("unsatisfiable");
    expect(parseRange("bytes=5-2", 1000)).toBe("unsatisfiable");
  });
});

describe("rangeApplies (If-Range)", () => {
  it("applies the range only while the ETag still matches", () => {
    expect(rangeApplies(null, '"abc"')).toBe(true);
    expect(rangeApplies('"abc"', '"abc"')).toBe(true);
    expect(rangeApplies('"old"', '"abc"')).toBe(false);
    expect(rangeApplies("Wed, 21 Oct 2015 07:28:00 GMT", '"abc"')).toBe(false);
  });
});
