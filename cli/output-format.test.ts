import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { CliError } from "./exit-codes";
import { displayWidth, formatOutput, parseFormat } from "./output-format";

const rows = [
  { id: "a1", name: "web-1", state: "RUNNING", task: null, image: { id: "i1", name: "Debian 12" } },
  { id: "b2", name: "db, main", state: "STOPPED", task: "starting", image: { id: "i2", name: "Alpine" } },
];

describe("output formats", () => {
  it("table: a bordered row per item, nested objects by name, null as empty", () => {
    expect(formatOutput(rows, { format: "table" })).toBe(
      [
        "+----+----------+---------+----------+-----------+",
        "| id | name     | state   | task     | image     |",
        "+----+----------+---------+----------+-----------+",
        "| a1 | web-1    | RUNNING |          | Debian 12 |",
        "| b2 | db, main | STOPPED | starting | Alpine    |",
        "+----+----------+---------+----------+-----------+",
        "",
      ].join("\n"),
    );
  });

  it("table of one object: Field and Value", () => {
    const out = formatOutput(rows[0], { format: "table", columns: ["name", "image.id"] });
    expect(out).toContain("| Field    | Value |");
    expect(out).toContain("| name     | web-1 |");
    expect(out).toContain("| image.id | i1    |");
  });

  it("wide characters take two columns, so Chinese names line up", () => {
    expect(displayWidth("张三")).toBe(4);
    const out = formatOutput([{ name: "张三" }, { name: "ann" }], { format: "table" });
    const lines = out.trim().split("\n");
    expect(new Set(lines.map(displayWidth)).size).toBe(1);
  });

  it("json and yaml keep the data as it is (the full objects, or the columns asked)", () => {
    expect(JSON.parse(formatOutput(rows, { format: "json" }))).toEqual(rows);
    expect(parseYaml(formatOutput(rows, { format: "yaml" }))).toEqual(rows);
    expect(JSON.parse(formatOutput(rows, { format: "json", columns: ["id", "image.name"] }))).toEqual([
      { id: "a1", "image.name": "Debian 12" },
      { id: "b2", "image.name": "Alpine" },
    ]);
    expect(formatOutput([], { format: "yaml" })).toBe("[]\n");
  });

  it("csv: a header, quoted fields where needed, CRLF", () => {
    expect(formatOutput(rows, { format: "csv", columns: ["name", "state"] })).toBe(
      'name,state\r\nweb-1,RUNNING\r\n"db, main",STOPPED\r\n',
    );
    expect(formatOutput([{ note: 'say "hi"' }], { format: "csv" })).toBe('note\r\n"say ""hi"""\r\n');
  });

  it("value: the values of a row on one line, for shell loops", () => {
    expect(formatOutput(rows, { format: "value", columns: ["id"] })).toBe("a1\nb2\n");
    expect(formatOutput(rows[0], { format: "value", columns: ["id", "state"] })).toBe("a1\nRUNNING\n");
  });

  it("columns that do not exist are a usage error listing those that do", () => {
    expect(() => formatOutput(rows, { format: "table", columns: ["nope"] })).toThrow(CliError);
    expect(() => formatOutput(rows, { format: "table", columns: ["nope"] })).toThrow(/No such column/);
  });

  it("text answers (CSV exports) print as they came; nothing prints nothing", () => {
    expect(formatOutput("a,b\n1,2\n", { format: "table" })).toBe("a,b\n1,2\n");
    expect(formatOutput(null, { format: "json" })).toBe("");
  });

  it("a format outside the list is a usage error", () => {
    expect(parseFormat("yaml")).toBe("yaml");
    expect(() => parseFormat("xml")).toThrow(/-f takes one of table, json, csv, yaml, value/);
  });
});
