// Runs the fetching side of the fetch benchmark in its own thread, as an agent is its own process: the
// portal's serving (main thread) and the agent's receiving and hashing do not take turns on one event
// loop. The baseline and ImageCache.ensure both run here, so the comparison stays like for like.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { get, type IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { parentPort } from "node:worker_threads";
import type { ImageRef } from "../../agents/protocol/index";
import { ImageCache } from "../../agents/node-agent/image-cache";

type Request =
  | { kind: "plain"; url: string; dest: string }
  | { kind: "verified"; url: string; dest: string; sha256: string }
  | {
      kind: "ensure";
      ref: ImageRef;
      cacheDir: string;
      creds: { hostId: string; hostSecret: string; portalUrl: string };
    };

function getResponse(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(url, (res) =>
      res.statusCode === 200 ? resolve(res) : reject(new Error(`HTTP ${res.statusCode}`)),
    ).on("error", reject);
  });
}

/** The old baseline, for context: GET into the page cache, nothing verified, nothing on disk. */
async function plainGet(url: string, dest: string): Promise<void> {
  const res = await getResponse(url);
  await pipeline(res, createWriteStream(dest, { highWaterMark: 1024 * 1024 }));
}

/**
 * The baseline: the essential work of the agent's fetch and nothing else: the bytes over HTTP into a
 * file, hashed as they arrive, on disk (fsync) before the digest is checked. No credentials, no cache.
 */
async function verifiedGet(url: string, dest: string, sha256: string): Promise<void> {
  const res = await getResponse(url);
  const fh = await open(dest, "w", 0o600);
  try {
    const hash = createHash("sha256");
    await pipeline(
      res,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream("", { fd: fh.fd, highWaterMark: 1024 * 1024, autoClose: false }),
    );
    await fh.sync();
    const got = hash.digest("hex");
    if (got !== sha256) throw new Error(`baseline fetch: sha256 ${got} is not ${sha256}`);
  } finally {
    await fh.close();
  }
}

// `answer` reports its own failures, so nothing is left to reject unseen.
parentPort!.on("message", (req: Request) => void answer(req));

async function answer(req: Request) {
  const t = performance.now();
  try {
    if (req.kind === "plain") await plainGet(req.url, req.dest);
    else if (req.kind === "verified") await verifiedGet(req.url, req.dest, req.sha256);
    else await new ImageCache(req.cacheDir, req.creds).ensure(req.ref);
    parentPort!.postMessage({ seconds: (performance.now() - t) / 1000 });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  }
}
