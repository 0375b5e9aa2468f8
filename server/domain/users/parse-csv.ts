// RFC 4180 reading for class lists exported from a spreadsheet: quoted fields with commas, quotes ("")
// and line breaks, CRLF or LF, a UTF-8 byte-order mark, and semicolons when the sheet used them.

/** The rows of a CSV text, each with the line it started on (1-based) for per-row messages. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const src = text.replace(/^\uFEFF/, "");
  const firstLine = src.split(/\r?\n/, 1)[0] ?? "";
  // A spreadsheet in a locale with decimal commas writes semicolons; the header row tells which.
  const sep = !firstLine.includes(",") && firstLine.includes(";") ? ";" : ",";
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell === "") quoted = true;
    else if (c === sep) {
      cells.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && src[i + 1] === "\n") i++;
      cells.push(cell);
      rows.push({ line: rowLine, cells });
      cells = [];
      cell = "";
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (cell !== "" || cells.length) {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  // Blank lines (a trailing newline, gaps in a pasted list) are no rows.
  return rows.filter((r) => r.cells.some((c) => c.trim() !== ""));
}
