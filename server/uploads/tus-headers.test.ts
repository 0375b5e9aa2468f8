import { describe, expect, it } from "vitest";
import {
  formatUploadMetadata,
  parseNonNegativeInt,
  parseUploadMetadata,
  supportsTusVersion,
} from "./tus-headers";

describe("tus headers", () => {
  it("parses Upload-Metadata pairs, with and without values", () => {
    expect(parseUploadMetadata("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential")).toEqual({
      filename: "world_domination_plan.pdf",
      is_confidential: "",
    });
    expect(parseUploadMetadata(null)).toEqual({});
    const meta = { name: "Debian 12 — 中文", format: "qcow2" };
    expect(parseUploadMetadata(formatUploadMetadata(meta))).toEqual(meta);
  });

  it("refuses malformed metadata: duplicate keys, bad base64, extra parts", () => {
    expect(parseUploadMetadata("a YQ==,a Yg==")).toBeNull();
    expect(parseUploadMetadata("a not*base64")).toBeNull();
    expect(parseUploadMetadata("a YQ== extra")).toBeNull();
    expect(parseUploadMetadata("a YQ")).toBeNull();
  });

  it("reads offsets and lengths as whole non-negative numbers only", () => {
    expect(parseNonNegativeInt("0")).toBe(0);
    expect(parseNonNegativeInt("209715200")).toBe(209715200);
    for (const bad of [null, "", "-1", "1.5", "1e3", "12abc", "99999999999999999"])
      expect(parseNonNegativeInt(bad)).toBeNull();
  });

  it("speaks 1.0.0 only", () => {
    expect(supportsTusVersion("1.0.0")).toBe(true);
    expect(supportsTusVersion("0.2.2")).toBe(false);
    expect(supportsTusVersion(null)).toBe(false);
  });
});
