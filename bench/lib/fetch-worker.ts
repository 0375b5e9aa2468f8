// Runs the fetching side of the fetch benchmark in its own thread, as an agent is its own process: the
// portal's serving (main thread) and the agent's receiving and hashing do not take turns on one event
// loop. Both the baseline and ImageCache.ensure run here, so the comparison stays like for like.
import { createWriteStream } from "node:fs";
import { get } from "node:http";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { parentPort } from "node:worker_threads";
import type { ImageRef } from "../../agents/protocol/index";
import { ImageCache } from "../../agents/node-agent/image-cache";

type Request =
  | { kind: "plain"; url: string; dest: string }
  | { kind: "ensure"; ref: ImageRef; cacheDir: string; creds: { hostId: string; hostSecret: string } };

function plainGet(url: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
      pipeline(res, createWriteStream(dest, { highWaterMark: 1024 * 1024 })).then(resolve, reject);
    }).on("error", reject);
  });
}

// `answer` reports its own failures, so nothing is left to reject unseen.
parentPort!.on("message", (req: Request) => void answer(req));

async function answer(req: Request) {
  const t = performance.now();
  try {
    if (req.kind === "plain") await plainGet(req.url, req.dest);
    else await new ImageCache(req.cacheDir, req.creds).ensure(req.ref);
    parentPort!.postMessage({ seconds: (performance.now() - t) / 1000 });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  }
}
