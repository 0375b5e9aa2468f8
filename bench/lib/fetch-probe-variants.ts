// The fetch probe's variants (bench/fetch-probe.ts): each fetches `url` into `dest` in the calling thread.
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { get } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { IncomingMessage } from "node:http";
import { ImageCache } from "../../agents/node-agent/image-cache";

export const PROBE_VARIANTS = {
  sha256_only: "no fetch: node:crypto sha256 over as many bytes in memory (this thread's hashing speed)",
  get: "http.get piped to fs.createWriteStream (1 MiB highWaterMark): the old fetch_ratio baseline",
  get_fsync: "the same, then fsync",
  get_sha256_fsync: "the same, hashing each chunk as it arrives, fsync, digest compared: the new baseline",
  fetch_batched: "fetch() (undici) read into 8 MiB batched writes, one in flight: the agent's loop, no hash",
  fetch_batched_sha256: "the same with sha256 of each chunk as it arrives: the agent's fetch before the fix",
  fetch_batched_sha256_fsync: "the same, then fsync before the rename",
  fetch_writev_sha256_fsync:
    "fetch() into the same batches handed to one writev (no 8 MiB Buffer.concat), sha256, fsync",
  fetch_stream_sha256_fsync:
    "fetch() body as a Node stream piped to fs.createWriteStream (1 MiB), sha256 on the way, fsync",
  agent_ensure: "the agent's own ImageCache.ensure (whatever agents/node-agent/image-cache.ts does now)",
  get_batched_sha256_fsync:
    "http.get (a Node stream, no WHATWG stream) into the agent's batched writes, sha256, fsync",
} as const;
export type ProbeVariant = keyof typeof PROBE_VARIANTS;

const BATCH = 8 * 1024 * 1024;

function getResponse(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(url, (res) =>
      res.statusCode === 200 ? resolve(res) : reject(new Error(`HTTP ${res.statusCode}`)),
    ).on("error", reject);
  });
}

async function viaGet(url: string, dest: string, opts: { hash: boolean; fsync: boolean }): Promise<void> {
  const res = await getResponse(url);
  const h = opts.hash ? createHash("sha256") : null;
  if (h) res.on("data", (c: Buffer) => h.update(c));
  const fh = await open(dest, "w");
  await pipeline(res, createWriteStream(dest, { fd: fh.fd, autoClose: false, highWaterMark: 1024 * 1024 }));
  if (opts.fsync) await fh.sync();
  await fh.close();
  if (h) h.digest("hex");
}

async function viaFetch(url: string, dest: string, opts: { hash: boolean; fsync: boolean }): Promise<void> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const reader = res.body.getReader();
  async function* chunks() {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  }
  await batchedInto(chunks(), dest, opts);
}

async function fetchBody(url: string): Promise<ReadableStream<Uint8Array>> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  return res.body;
}

async function streamInto(body: Readable, dest: string): Promise<void> {
  const fh = await open(dest, "w");
  const h = createHash("sha256");
  body.on("data", (c: Buffer) => h.update(c)); // attached with the pipe below, after the await: no chunk lost
  await pipeline(body, createWriteStream(dest, { fd: fh.fd, autoClose: false, highWaterMark: 1024 * 1024 }));
  await fh.sync();
  await fh.close();
  h.digest("hex");
}

async function batchedInto(
  chunks: AsyncIterable<Uint8Array>,
  dest: string,
  opts: { hash: boolean; fsync: boolean; writev?: boolean },
): Promise<void> {
  const h = opts.hash ? createHash("sha256") : null;
  const fh = await open(dest, "w");
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let writing: Promise<unknown> = Promise.resolve();
  const flush = () => {
    if (!batchBytes) return;
    if (opts.writev) {
      const parts = batch;
      batch = [];
      batchBytes = 0;
      writing = writing.then(() => fh.writev(parts));
      return;
    }
    const buf = Buffer.concat(batch, batchBytes);
    batch = [];
    batchBytes = 0;
    writing = writing.then(() => fh.write(buf));
  };
  for await (const value of chunks) {
    h?.update(value);
    batch.push(value);
    batchBytes += value.length;
    if (batchBytes >= BATCH) {
      await writing;
      flush();
    }
  }
  flush();
  await writing;
  if (opts.fsync) await fh.sync();
  await fh.close();
  h?.digest("hex");
}

export async function runProbeVariant(
  variant: ProbeVariant,
  url: string,
  dest: string,
  bytes: number,
  sha256: string,
) {
  switch (variant) {
    case "agent_ensure": {
      // The probe's server answers every path, the agent's image path included.
      const cache = new ImageCache(dest, { hostId: "probe", hostSecret: "probe", portalUrl: url });
      const ref = { id: randomUUID(), sha256, format: "raw" as const, sizeBytes: bytes };
      await cache.ensure(ref);
      return;
    }
    case "sha256_only": {
      const h = createHash("sha256");
      const chunk = Buffer.alloc(64 * 1024, 7);
      for (let done = 0; done < bytes; done += chunk.length) h.update(chunk);
      h.digest("hex");
      return;
    }
    case "get":
      return viaGet(url, dest, { hash: false, fsync: false });
    case "get_fsync":
      return viaGet(url, dest, { hash: false, fsync: true });
    case "get_sha256_fsync":
      return viaGet(url, dest, { hash: true, fsync: true });
    case "fetch_batched":
      return viaFetch(url, dest, { hash: false, fsync: false });
    case "fetch_batched_sha256":
      return viaFetch(url, dest, { hash: true, fsync: false });
    case "fetch_batched_sha256_fsync":
      return viaFetch(url, dest, { hash: true, fsync: true });
    case "fetch_writev_sha256_fsync": {
      const reader = (await fetchBody(url)).getReader();
      async function* chunks() {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      }
      return batchedInto(chunks(), dest, { hash: true, fsync: true, writev: true });
    }
    case "fetch_stream_sha256_fsync":
      return streamInto(Readable.fromWeb((await fetchBody(url)) as never), dest);
    case "get_batched_sha256_fsync":
      return batchedInto(await getResponse(url), dest, { hash: true, fsync: true });
  }
}
