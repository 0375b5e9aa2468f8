// The tus 1.0.0 header grammar (core + creation + termination), as pure functions.
export const TUS_VERSION = "1.0.0";
export const TUS_EXTENSIONS = "creation,termination";
export const TUS_CONTENT_TYPE = "application/offset+octet-stream";

/** A non-negative integer header (Upload-Length, Upload-Offset), or null when absent or malformed. */
export function parseNonNegativeInt(value: string | null): number | null {
  if (value === null || !/^\d{1,16}$/.test(value.trim())) return null;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Upload-Metadata: comma-separated `key base64value` pairs (value optional). Keys are ASCII without
 * spaces or commas and unique. Returns null for a malformed header.
 */
export function parseUploadMetadata(header: string | null): Record<string, string> | null {
  const out: Record<string, string> = {};
  if (header === null || header.trim() === "") return out;
  for (const pair of header.split(",")) {
    const parts = pair.trim().split(" ");
    if (parts.length > 2 || !parts[0] || !/^[\x21-\x7e]+$/.test(parts[0])) return null;
    const [key, value = ""] = parts;
    if (key in out) return null;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return null;
    out[key] = Buffer.from(value, "base64").toString("utf8");
  }
  return out;
}

export function formatUploadMetadata(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => (v === "" ? k : `${k} ${Buffer.from(v, "utf8").toString("base64")}`))
    .join(",");
}

/** Every tus request but OPTIONS must name the version we speak. */
export function supportsTusVersion(header: string | null): boolean {
  return header === TUS_VERSION;
}
