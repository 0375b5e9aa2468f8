import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { agentImagePath, hostAuthHeader, type ImageRef } from "../protocol/index";
import { chooseEvictions, type CachedImage } from "./image-cache-lru";
import { PermanentJobError } from "./permanent-job-error";

export interface ImageCacheOptions {
  /** Size limit of the cache in bytes (EDUCLOUD_AGENT_IMAGE_CACHE_BYTES); unlimited when absent. */
  maxBytes?: number;
  /**
   * Absolute paths of the base images the host's VMs depend on (from their drivers): never evicted.
   * Absent: no VM uses any.
   */
  imagesInUse?: () => Promise<Iterable<string>>;
  /** Told about every image evicted, so the portal stops counting on it. */
  onEvicted?: (sha256: string) => void;
  /** Told about every image fetched into the cache (for an instance or a sync), so the scheduler can prefer this host. */
  onCached?: (sha256: string, sizeBytes: number) => void;
}

/** The cache limit from the agent's environment; undefined = no limit. */
export function imageCacheLimitFromEnv(
  value = process.env.EDUCLOUD_AGENT_IMAGE_CACHE_BYTES,
): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(
      `EDUCLOUD_AGENT_IMAGE_CACHE_BYTES must be a positive number of bytes, not ${JSON.stringify(value)}`,
    );
  return n;
}

const SHA_NAME = /^[a-f0-9]{64}$/;
/**
 * Streams a body to a file, handing each chunk to `onChunk` (hashing) before it is written, and puts the
 * file on disk before returning: the cache trusts a file by its name and size after a restart, so it
 * must not get its final name while its bytes are still only in the page cache.
 * Chunks go to a plain write stream as they arrive. An earlier version gathered them into 8 MiB writes;
 * holding that many socket buffers alive doubled the memory touched per byte (page faults, CPU) and
 * made fetches slower and far less steady on small VMs (bench/README.md, "What the fetch figure taught us").
 */
async function receiveInto(
  body: ReadableStream<Uint8Array>,
  path: string,
  maxBytes: number,
  onChunk: (chunk: Uint8Array, seen: number) => void,
): Promise<void> {
  const fh = await open(path, "w", 0o600);
  try {
    let seen = 0;
    await pipeline(
      Readable.fromWeb(body as NodeReadableStream<Uint8Array>),
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          seen += chunk.length;
          // The announced size is all the disk a download may take: a server that sends more is cut off
          // at once, not after the checksum finally fails.
          if (seen > maxBytes)
            throw new PermanentJobError(
              `The portal sent more than the image's announced ${maxBytes} bytes; the download was stopped.`,
            );
          onChunk(chunk, seen);
          yield chunk;
        }
      },
      // By descriptor: a FileHandle's own stream would hold the handle, and fh.close() would wait forever.
      createWriteStream("", { fd: fh.fd, highWaterMark: 1024 * 1024, autoClose: false }),
    );
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * How a download proves the host may have the image beyond its own work: a local desktop's ticket,
 * which the portal gave for a signed-in user's profile (agents/protocol/local.ts).
 */
export interface ImageAccess {
  ticket?: string;
}

/** A cached image held for a VM being built; see ImageCache.lease(). */
export interface ImageLease {
  path: string;
  /** Unpins the image (once; later calls do nothing). */
  release(): void;
}

/**
 * Base images, content-addressed by sha256. A cached image is reused without copying anything;
 * a download is verified before it is renamed into place, so a half or wrong file is never used.
 * With a size limit, images no VM uses are evicted least recently used first (the file's mtime is
 * its last use: set on every ensure()). "Used" means a VM depends on it (its driver says so), being
 * fetched, or leased.
 */
export class ImageCache {
  private inflight = new Map<string, Promise<string>>();
  /** Leased images (sha256 → number of leases): never evicted. */
  private readonly pins = new Map<string, number>();
  /** Evictions under way: an ensure() of that image waits for the file to be gone, then fetches it again. */
  private readonly removing = new Map<string, Promise<void>>();

  constructor(
    private readonly dir: string,
    /** The host's credentials and the portal it joined: the only place they are ever sent. */
    private readonly auth: { hostId: string; hostSecret: string; portalUrl: string },
    private readonly opts: ImageCacheOptions = {},
  ) {}

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
  ensure(ref: ImageRef, onProgress?: (fraction: number) => void, access?: ImageAccess): Promise<string> {
    let p = this.inflight.get(ref.sha256);
    if (!p) {
      p = this.fetchIfMissing(ref, onProgress, access).finally(() => this.inflight.delete(ref.sha256));
      this.inflight.set(ref.sha256, p);
    }
    return p;
  }

  /**
   * ensure(), with the image pinned from this call until release(). A create needs its base before
   * the VM's record names it (the overlay is built on it first): without the pin, an eviction for a
   * concurrent fetch could delete it in between. Release once the record is written, or creation failed.
   */
  async lease(
    ref: ImageRef,
    onProgress?: (fraction: number) => void,
    access?: ImageAccess,
  ): Promise<ImageLease> {
    const release = this.pin(ref.sha256); // before any await: no eviction can slip in first
    try {
      return { path: await this.ensure(ref, onProgress, access), release };
    } catch (err) {
      release();
      throw err;
    }
  }

  private pin(sha256: string): () => void {
    this.pins.set(sha256, (this.pins.get(sha256) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.pins.get(sha256) ?? 1) - 1;
      if (left > 0) this.pins.set(sha256, left);
      else this.pins.delete(sha256);
    };
  }

  /** What the cache holds, with size and last use. */
  async list(): Promise<CachedImage[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out: CachedImage[] = [];
    for (const name of names.filter((n) => SHA_NAME.test(n))) {
      const s = await stat(join(this.dir, name)).catch(() => null);
      if (s) out.push({ sha256: name, sizeBytes: s.size, lastUsedMs: s.mtimeMs });
    }
    return out;
  }

  /** sha256s of cached images some VM depends on (running or stopped: its disk needs the base either way). */
  async inUse(): Promise<Set<string>> {
    const used = new Set<string>();
    if (!this.opts.imagesInUse) return used;
    const cacheDir = resolve(this.dir);
    for (const base of await this.opts.imagesInUse())
      if (resolve(dirname(base)) === cacheDir) used.add(basename(base));
    return used;
  }

  /** Makes room for `incomingBytes` under the limit; returns what was evicted. */
  async evictFor(incomingBytes: number): Promise<string[]> {
    if (this.opts.maxBytes === undefined) return [];
    // Not knowing what the VMs use, evict nothing: a missing base breaks a VM, a full cache only a fetch.
    const used = await this.inUse().catch(() => null);
    if (!used) return [];
    const busy = new Set([...used, ...this.inflight.keys(), ...this.pins.keys()]);
    const victims = chooseEvictions(await this.list(), busy, this.opts.maxBytes, incomingBytes);
    const evicted: string[] = [];
    for (const sha of victims) {
      // Asked for since `busy` was read (the reads above await): it stays. Checked and registered in
      // one step, so an ensure() either keeps the image or waits for this removal and fetches again.
      if (this.pins.has(sha) || this.inflight.has(sha) || this.removing.has(sha)) continue;
      const removal = rm(join(this.dir, sha), { force: true }).finally(() => this.removing.delete(sha));
      this.removing.set(sha, removal);
      await removal;
      evicted.push(sha);
      this.opts.onEvicted?.(sha);
    }
    return evicted;
  }

  private async fetchIfMissing(
    ref: ImageRef,
    onProgress?: (fraction: number) => void,
    access?: ImageAccess,
  ): Promise<string> {
    await this.removing.get(ref.sha256)?.catch(() => undefined);
    const final = this.pathOf(ref);
    if (await this.has(ref)) {
      const now = new Date();
      await utimes(final, now, now); // last use, for the LRU eviction
      return final;
    }
    await mkdir(this.dir, { recursive: true });
    await this.evictFor(ref.sizeBytes);
    const tmp = `${final}.part-${process.pid}-${Date.now()}`;
    try {
      const url = new URL(agentImagePath(ref.id), this.auth.portalUrl);
      if (access?.ticket) url.searchParams.set("ticket", access.ticket);
      const res = await fetch(url, {
        headers: { authorization: hostAuthHeader(this.auth.hostId, this.auth.hostSecret) },
        // A redirect could lead the credentials elsewhere; the portal never sends one.
        redirect: "error",
      });
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        throw new PermanentJobError(`The portal refused the image download (HTTP ${res.status}).`);
      }
      if (!res.ok || !res.body) throw new Error(`Image download failed: HTTP ${res.status}`);
      const hash = createHash("sha256");
      await receiveInto(res.body as ReadableStream<Uint8Array>, tmp, ref.sizeBytes, (chunk, seen) => {
        hash.update(chunk);
        onProgress?.(Math.min(1, seen / ref.sizeBytes));
      });
      const got = hash.digest("hex");
      if (got !== ref.sha256)
        throw new PermanentJobError(
          `The downloaded image's checksum is wrong (got ${got.slice(0, 12)}…, expected ${ref.sha256.slice(0, 12)}…).`,
        );
      await rename(tmp, final);
      this.opts.onCached?.(ref.sha256, ref.sizeBytes);
      return final;
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
