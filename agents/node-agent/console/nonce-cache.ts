/**
 * Grant nonces this agent has accepted, each kept until its grant expires: a grant is single use, and
 * after expiry the signature check refuses it anyway, so the entry can go. Bounded: when full of
 * unexpired nonces it refuses new grants (fail closed) rather than forgetting one that could be replayed.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** "ok": first use, now remembered; "replayed": seen before; "full": too many grants in flight. */
  claim(nonce: string, exp: number): "ok" | "replayed" | "full" {
    const now = this.now();
    // Sweep at most once a minute, or when full, so a burst of connects stays O(1) each.
    if (this.seen.size >= this.maxEntries || now - this.lastSweep > 60_000) this.sweep(now);
    const known = this.seen.get(nonce);
    if (known !== undefined && known > now) return "replayed";
    if (this.seen.size >= this.maxEntries) return "full";
    this.seen.set(nonce, exp);
    return "ok";
  }

  get size(): number {
    return this.seen.size;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [nonce, exp] of this.seen) if (exp <= now) this.seen.delete(nonce);
  }
}
