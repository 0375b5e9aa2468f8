import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { hostAuthHeader, type ImageRef } from "../protocol/index";

export class PermanentJobError extends Error {}

/**
 * Base images, content-addressed by sha256. A cached image is reused without copying anything;
 * a download is verified before it is renamed into place, so a half or wrong file is never used.
 */
export class ImageCache {
  private inflight = new Map<string, Promise<string>>();

  constructor(private readonly dir: string, private readonly auth: { hostId: string; hostSecret: string }) {}

  pathOf(ref: Pick<ImageRef, "sha256">): string {
    return join(this.dir, ref.sha256);
  }

  async has(ref: Pick<ImageRef, "sha256" | "sizeBytes">): Promise<boolean> {
    try {
      return (await stat(this.pathOf(ref))).size === ref.sizeBytes;
    } catch {
      return false;
    }
  }

  /** Returns the cached path, fetching once even when several jobs ask at the same time. */
  ensure(ref: ImageRef, onProgress?: (fraction: number) => void): Promise<string> {
    let p = this.inflight.get(ref.sha256);
    if (!p) {
      p = this.fetchIfMissing(ref, onProgress).finally(() => this.inflight.delete(ref.sha256));
      this.inflight.set(ref.sha256, p);
    }
    return p;
  }

  private async fetchIfMissing(ref: ImageRef, onProgress?: (fraction: number) => void): Promise<string> {
    const final = this.pathOf(ref);
    if (await this.has(ref)) {
      const now = new Date();
      await utimes(final, now, now); // last use, for the LRU eviction the images issue adds
      return final;
    }
    await mkdir(this.dir, { recursive: true });
    const tmp = `${final}.part-${process.pid}-${Date.now()}`;
    try {
      const res = await fetch(ref.url, { headers: { authorization: hostAuthHeader(this.auth.hostId, this.auth.hostSecret) } });
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        throw new PermanentJobError(`The portal refused the image download (HTTP ${res.status}).`);
      }
      if (!res.ok || !res.body) throw new Error(`Image download failed: HTTP ${res.status}`);
      const hash = createHash("sha256");
      let seen = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          seen += chunk.length;
          onProgress?.(Math.min(1, seen / ref.sizeBytes));
          cb(null, chunk);
        },
      });
      await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), meter, createWriteStream(tmp));
      const got = hash.digest("hex");
      if (got !== ref.sha256) throw new PermanentJobError(`The downloaded image's checksum is wrong (got ${got.slice(0, 12)}…, expected ${ref.sha256.slice(0, 12)}…).`);
      await rename(tmp, final);
      return final;
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
