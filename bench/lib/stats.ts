/** Percentile by linear interpolation between closest ranks (numpy's default); p in 0..100. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export const median = (values: number[]) => percentile(values, 50);

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

export function summarise(values: number[]): Summary {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

export const ms = (v: number, width = 8) =>
  (Number.isFinite(v) ? `${v.toFixed(0)} ms` : "n/a").padStart(width);

export const ratio = (b: number, a: number) => (a > 0 && Number.isFinite(b) ? (b / a).toFixed(2) : "n/a");
