// Which cached images to evict (pure): least recently used first, never one in use, until the new image
// fits under the limit. If the images in use alone fill the cache, it stays over the limit: a running
// VM's base image is never taken away.
export interface CachedImage {
  sha256: string;
  sizeBytes: number;
  lastUsedMs: number;
}

export function chooseEvictions(
  cached: CachedImage[],
  inUse: ReadonlySet<string>,
  maxBytes: number,
  incomingBytes: number,
): string[] {
  let total = cached.reduce((n, c) => n + c.sizeBytes, 0) + incomingBytes;
  const victims: string[] = [];
  const candidates = cached.filter((c) => !inUse.has(c.sha256)).sort((a, b) => a.lastUsedMs - b.lastUsedMs);
  for (const c of candidates) {
    if (total <= maxBytes) break;
    victims.push(c.sha256);
    total -= c.sizeBytes;
  }
  return victims;
}
