// Sizes as people read them. MiB and GiB are binary units (what qemu and the flavors use); grouping is
// off so "2048 MiB" reads the same in the table, the launch dialog and the server's messages.
const KiB = 1024;
const MiB = KiB * 1024;
const GiB = MiB * 1024;
const TiB = GiB * 1024;

export function formatNumber(n: number, locale: string, maxFractionDigits = 1): string {
  return new Intl.NumberFormat(locale, {
    maximumFractionDigits: maxFractionDigits,
    useGrouping: false,
  }).format(n);
}

export const bytesToMiB = (bytes: number) => bytes / MiB;
export const bytesToGiB = (bytes: number) => bytes / GiB;

/** "900 KiB", "12.5 MiB", "1.5 GiB": the largest unit that keeps the number at 1 or more. */
export function formatBytes(bytes: number, locale: string): string {
  const units: [number, string][] = [
    [TiB, "TiB"],
    [GiB, "GiB"],
    [MiB, "MiB"],
    [KiB, "KiB"],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${formatNumber(bytes / size, locale)} ${unit}`;
  }
  return `${formatNumber(bytes, locale, 0)} B`;
}

/** 0–100, safe for a zero total (a host that reports no capacity yet). */
export function percentOf(used: number, total: number): number {
  if (total <= 0) return used > 0 ? 100 : 0;
  return Math.min(100, Math.max(0, (used / total) * 100));
}
