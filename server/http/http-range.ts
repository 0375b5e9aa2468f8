/** Parses a single `bytes=a-b` range; null for none or anything we do not serve (then: whole file). */
export function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? "");
  if (!m || (m[1] === "" && m[2] === "")) return null;
  let start: number, end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? "unsatisfiable" : { start, end };
}

/**
 * If-Range (RFC 7233 §3.2): the Range applies only when the validator still names this file. We use a
 * strong ETag (the sha256); a date or another tag means "changed" and the whole file is sent.
 */
export function rangeApplies(ifRange: string | null, etag: string): boolean {
  if (ifRange === null) return true;
  return ifRange.trim() === etag;
}
