import { describe, expect, it } from "vitest";
import { toCsvCell } from "../csv";
import { redactDetail } from "./record-audit";

describe("audit CSV cells", () => {
  it("quotes commas, quotes and newlines per RFC 4180", () => {
    expect(toCsvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(toCsvCell(null)).toBe("");
    expect(toCsvCell(new Date("2026-01-02T03:04:05.000Z"))).toBe("2026-01-02T03:04:05.000Z");
  });

  it("defuses cells a spreadsheet would run as formulas", () => {
    expect(toCsvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(toCsvCell("-1+1")).toBe("'-1+1");
    expect(toCsvCell("@SUM(A1)")).toBe("'@SUM(A1)");
  });
});

describe("audit detail redaction", () => {
  it("removes passwords, secrets and tokens at any depth", () => {
    const out = redactDetail({
      username: "ann",
      password: "p",
      nested: { newPassword: "q", apiToken: "t", keep: 1 },
      list: [{ secret: "s" }],
    });
    expect(out).toEqual({
      username: "ann",
      password: "[redacted]",
      nested: { newPassword: "[redacted]", apiToken: "[redacted]", keep: 1 },
      list: [{ secret: "[redacted]" }],
    });
  });
});
