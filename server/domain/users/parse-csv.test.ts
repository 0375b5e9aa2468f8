import { describe, expect, it } from "vitest";
import { parseCsv } from "./parse-csv";

describe("parseCsv", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, CRLF and a BOM", () => {
    const text = '\uFEFFusername,display name\r\nli,"Li, ""Lei"""\r\nwang,"Wang\nFang"\r\n\r\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ["username", "display name"] },
      { line: 2, cells: ["li", 'Li, "Lei"'] },
      { line: 3, cells: ["wang", "Wang\nFang"] },
    ]);
  });

  it("takes semicolons when the header row has them and no commas", () => {
    expect(parseCsv("a;b\n1;2")).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 2, cells: ["1", "2"] },
    ]);
  });
});
