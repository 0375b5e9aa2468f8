import { describe, expect, it } from "vitest";
import { chooseEvictions } from "./image-cache-lru";

const img = (sha256: string, sizeBytes: number, lastUsedMs: number) => ({ sha256, sizeBytes, lastUsedMs });

describe("chooseEvictions", () => {
  const cached = [img("a", 40, 3), img("b", 40, 1), img("c", 40, 2)];

  it("evicts nothing while the new image fits", () => {
    expect(chooseEvictions(cached, new Set(), 200, 80)).toEqual([]);
  });

  it("evicts least recently used first, only as many as needed", () => {
    expect(chooseEvictions(cached, new Set(), 100, 30)).toEqual(["b", "c"]);
    expect(chooseEvictions(cached, new Set(), 130, 30)).toEqual(["b"]);
  });

  it("never evicts an image a VM uses, even when that leaves the cache over the limit", () => {
    expect(chooseEvictions(cached, new Set(["b"]), 100, 30)).toEqual(["c", "a"]);
    expect(chooseEvictions(cached, new Set(["a", "b", "c"]), 10, 30)).toEqual([]);
  });
});
