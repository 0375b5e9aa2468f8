// Dates are formatted in the browser's time zone. These helpers are only called on data fetched on
// the client, so server and client never render the same date differently (no hydration mismatch).
/** "short" is for crowded tables (no seconds); pair it with the medium form in a title. */
export function formatDateTime(
  value: Date | string | null | undefined,
  locale: string,
  style: "medium" | "short" = "medium",
): string {
  if (!value) return "";
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return "";
  return new Intl.DateTimeFormat(locale, { dateStyle: style, timeStyle: style }).format(d);
}

export function formatTime(value: Date | string, locale: string): string {
  const d = value instanceof Date ? value : new Date(value);
  return new Intl.DateTimeFormat(locale, { timeStyle: "medium" }).format(d);
}

/** The date alone, for crowded tables; the full date and time goes in a title next to it. */
export function formatDate(value: Date | string, locale: string): string {
  const d = value instanceof Date ? value : new Date(value);
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(d);
}

/** YYYYMMDD in local time, for file names such as audit-20250131.csv. */
export function compactDate(d = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
}
