import { describe, expect, it } from "vitest";
import { NonceCache } from "./nonce-cache";

describe("NonceCache", () => {
  it("accepts a nonce once and refuses it again until it expires", () => {
    let now = 1_000;
    const cache = new NonceCache(10, () => now);
    expect(cache.claim("a", 2_000)).toBe("ok");
    expect(cache.claim("a", 2_000)).toBe("replayed");
    expect(cache.claim("b", 2_000)).toBe("ok");
    now = 2_001;
    // Expired: the signature check refuses such a grant anyway; the cache may forget it.
    expect(cache.claim("a", 3_000)).toBe("ok");
  });

  it("refuses new grants when full of unexpired nonces, and makes room once they expire", () => {
    let now = 0;
    const cache = new NonceCache(3, () => now);
    for (const n of ["a", "b", "c"]) expect(cache.claim(n, 100)).toBe("ok");
    expect(cache.claim("d", 100)).toBe("full");
    expect(cache.claim("a", 100)).toBe("replayed");
    now = 100;
    expect(cache.claim("d", 200)).toBe("ok");
    expect(cache.size).toBe(1);
  });

  it("sweeps expired nonces periodically, not only when full", () => {
    let now = 0;
    const cache = new NonceCache(100, () => now);
    cache.claim("a", 10);
    cache.claim("b", 10);
    now = 61_000;
    cache.claim("c", 70_000);
    expect(cache.size).toBe(1);
  });
});
