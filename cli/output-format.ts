// How answers are printed: a table for people (OpenStack style), `-f json|yaml` for programs, `-f csv`
// for spreadsheets, `-f value` for shell loops; `-c COLUMN` (repeatable) picks fields in every format.
import { stringify as toYaml } from "yaml";
import { usageError } from "./exit-codes";

export const OUTPUT_FORMATS = ["table", "json", "csv", "yaml", "value"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface OutputOptions {
  format: OutputFormat;
  columns?: string[];
}

type Row = Record<string, unknown>;

const isRecord = (v: unknown): v is Row => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * A cell as text: nothing for null; a nested object by its name when it has one (an instance's image,
 * flavor, owner: what a person looks for; `-c image.id` or `-f json` give the rest), else JSON.
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (isRecord(value)) {
    const label = value.name ?? value.username;
    if (typeof label === "string" || typeof label === "number") return String(label);
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A column's value: the field itself, or a dotted path into nested objects (`image.id`). */
export function valueAt(row: Row, column: string): unknown {
  if (column in row) return row[column];
  let cur: unknown = row;
  for (const part of column.split(".")) {
    if (!isRecord(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Terminal columns a string takes: CJK and other wide characters count two (names in Chinese line up). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x300 && c <= 0x36f)) continue;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

const pad = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));

/** A bordered table; line breaks inside cells become spaces so each row stays one line. */
export function drawTable(headers: string[], rows: string[][]): string {
  const clean = (s: string) => s.replace(/\r?\n/g, " ");
  const body = rows.map((r) => r.map(clean));
  const widths = headers.map((h, i) =>
    Math.max(displayWidth(h), ...body.map((r) => displayWidth(r[i] ?? ""))),
  );
  const line = "+" + widths.map((w) => "-".repeat(w + 2)).join("+") + "+";
  const fmt = (cells: string[]) => "| " + cells.map((c, i) => pad(c, widths[i]!)).join(" | ") + " |";
  return [line, fmt(headers), line, ...body.map(fmt), line].join("\n") + "\n";
}

function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(headers: string[], rows: string[][]): string {
  return [headers, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** The columns of a list: every key in first-seen order, or the ones asked for. */
function columnsOf(rows: Row[], asked: string[] | undefined): string[] {
  const all: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!all.includes(k)) all.push(k);
  if (!asked?.length) return all;
  if (rows.length > 0 && !asked.some((c) => rows.some((r) => valueAt(r, c) !== undefined)))
    throw usageError(`No such column: ${asked.join(", ")}.`, [`Columns: ${all.join(", ")}`]);
  return asked;
}

function pick(row: Row, columns: string[]): Row {
  return Object.fromEntries(columns.map((c) => [c, valueAt(row, c) ?? null]));
}

/** A list of objects, a single object, a list of plain values, or plain text, in the chosen format. */
export function formatOutput(data: unknown, opts: OutputOptions): string {
  if (data === null || data === undefined) return "";
  if (
    typeof data === "string" &&
    (opts.format === "table" || opts.format === "value" || opts.format === "csv")
  )
    return data.endsWith("\n") ? data : data + "\n";
  if (Array.isArray(data)) {
    if (!data.every(isRecord)) {
      const values = data.map(cellText);
      switch (opts.format) {
        case "json":
          return JSON.stringify(data, null, 2) + "\n";
        case "yaml":
          return toYaml(data);
        case "csv":
          return toCsv(
            ["value"],
            values.map((v) => [v]),
          );
        case "value":
          return values.map((v) => v + "\n").join("");
        case "table":
          return drawTable(
            ["Value"],
            values.map((v) => [v]),
          );
      }
    }
    const rows = data as Row[];
    const columns = columnsOf(rows, opts.columns);
    const picked = opts.columns?.length ? rows.map((r) => pick(r, columns)) : rows;
    const cells = rows.map((r) => columns.map((c) => cellText(valueAt(r, c))));
    switch (opts.format) {
      case "json":
        return JSON.stringify(picked, null, 2) + "\n";
      case "yaml":
        return rows.length ? toYaml(picked) : "[]\n";
      case "csv":
        return toCsv(columns, cells);
      case "value":
        return cells.map((r) => r.join(" ") + "\n").join("");
      case "table":
        return rows.length ? drawTable(columns, cells) : "";
    }
  }
  if (isRecord(data)) {
    const columns = columnsOf([data], opts.columns);
    const picked = opts.columns?.length ? pick(data, columns) : data;
    switch (opts.format) {
      case "json":
        return JSON.stringify(picked, null, 2) + "\n";
      case "yaml":
        return toYaml(picked);
      case "csv":
        return toCsv(columns, [columns.map((c) => cellText(valueAt(data, c)))]);
      case "value":
        return columns.map((c) => cellText(valueAt(data, c)) + "\n").join("");
      case "table":
        return drawTable(
          ["Field", "Value"],
          columns.map((c) => [c, cellText(valueAt(data, c))]),
        );
    }
  }
  // A number, a boolean, or text asked as JSON/YAML.
  if (opts.format === "json") return JSON.stringify(data) + "\n";
  if (opts.format === "yaml") return toYaml(data);
  return cellText(data) + "\n";
}

export function parseFormat(text: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(text)) return text as OutputFormat;
  throw usageError(`-f takes one of ${OUTPUT_FORMATS.join(", ")} (got "${text}").`);
}
