// Small pure helpers shared by the network forms: the text people type versus what the schemas take.
import { formatIpv4, MAX_PREFIX, MIN_PREFIX, parseIpv4 } from "@/common/ipv4";
import type { FieldErrors } from "@/app/_lib/validation";

/** "1.1.1.1, 9.9.9.9" (commas or spaces) → ["1.1.1.1", "9.9.9.9"]; empty text → []. */
export function parseDnsList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export const formatDnsList = (servers: readonly string[]) => servers.join(", ");

/**
 * zod reports an array element's problem at "dnsServers.1"; the form has one field for the whole
 * list, so the first such problem is shown there (the server's fieldErrors use the same keys).
 */
export function collapseArrayErrors(errors: FieldErrors, fields: readonly string[]): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, text] of Object.entries(errors)) {
    const field = fields.find((f) => key === f || key.startsWith(`${f}.`)) ?? key;
    out[field] ??= text;
  }
  return out;
}

/** Empty stays undefined ("Required." or "no value"); anything else becomes a number, NaN included. */
export const toNumber = (s: string) => (s.trim() === "" ? undefined : Number(s));

/** Seconds as "1:05" or "1:02:05", for the countdown of a reserved subnet. */
export function formatCountdown(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/**
 * Which rule a CIDR breaks, as a key of messages "networks.cidrProblems" with its arguments, so the
 * form can say it in the reader's language (the schema's own text is English). Mirrors parseCidr.
 */
export function cidrProblem(
  text: string,
): { key: "format" | "prefix" | "notNetwork"; values: Record<string, string> } | null {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  const addr = m ? parseIpv4(m[1]!) : null;
  if (!m || addr === null) return { key: "format", values: {} };
  const prefix = Number(m[2]);
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX)
    return { key: "prefix", values: { min: String(MIN_PREFIX), max: String(MAX_PREFIX) } };
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0)
    return {
      key: "notNetwork",
      values: { text: text.trim(), suggestion: `${formatIpv4(addr - (addr % size))}/${prefix}` },
    };
  return null;
}
