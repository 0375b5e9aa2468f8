// CSV for reports people open in a spreadsheet (audit log, IP usage).

/** RFC 4180 quoting, plus a leading quote on cells a spreadsheet would run as a formula. */
export function toCsvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s =
    value instanceof Date
      ? value.toISOString()
      : typeof value === "object"
        ? JSON.stringify(value)
        : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV document: a header line and rows, CRLF line ends (RFC 4180). */
export function toCsv(header: readonly string[], rows: readonly unknown[][]): string {
  return [header.join(","), ...rows.map((r) => r.map(toCsvCell).join(","))].join("\r\n") + "\r\n";
}
