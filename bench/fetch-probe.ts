// npx tsx bench/fetch-probe.ts [-- --mib 512 --rounds 3 --variants a,b,c]
//
// Where an image fetch spends its time, one ingredient at a time (the study behind bench/README.md's
// "What the fetch figure taught us"). No portal, database or Redis: a bare Node HTTP server in this thread
// serves one file of random bytes from the page cache (1 MiB reads, as the portal's file response does);
// each variant fetches it in a worker thread (as the agent is its own process), writes it to a file and
// prints MiB/s. Variants run round-robin, rounds times, so a drifting machine hits all of them alike.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { PROBE_VARIANTS } from "./lib/fetch-probe-variants";

const { values: cli } = parseArgs({
  options: {
    mib: { type: "string", default: "512" },
    rounds: { type: "string", default: "3" },
    // Seconds of rest after a flush before each variant (0: none, to see what the state left by the
    // previous variant does).
    rest: { type: "string", default: "3" },
    variants: { type: "string", default: Object.keys(PROBE_VARIANTS).join(",") },
  },
});
const BYTES = Number(cli.mib) * 1024 * 1024;
const variants = cli.variants.split(",");
const work = await mkdtemp(join(os.tmpdir(), "educloud-fetch-probe-"));
const src = join(work, "src.bin");
const w = createWriteStream(src);
for (let done = 0; done < BYTES; done += 8 << 20) w.write(randomBytes(Math.min(8 << 20, BYTES - done)));
await new Promise<void>((r) => w.end(() => r()));
const size = (await stat(src)).size;
const sha256 = createHash("sha256")
  .update(await readFile(src))
  .digest("hex");

const server = createServer((_req, res) => {
  res.writeHead(200, { "content-length": String(size), "content-type": "application/octet-stream" });
  createReadStream(src, { highWaterMark: 1024 * 1024 }).pipe(res);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
const worker = new Worker(new URL("./lib/fetch-probe-worker-entry.mjs", import.meta.url));
type Answer = { seconds: number; minorFaults: number; cpuSeconds: number };
const ask = (variant: string, dest: string) =>
  new Promise<Answer>((resolve, reject) => {
    worker.once("message", (m: Answer & { error?: string }) =>
      m.error ? reject(new Error(m.error)) : resolve(m),
    );
    worker.postMessage({ variant, url, dest, bytes: size, sha256 });
  });

// Each variant starts from the same state: nothing dirty, the previous file's blocks freed (this disk is
// mounted with `discard`) and, after the rest, memory as idle as for any other variant.
const settle = async () => {
  execFileSync("sync");
  await new Promise((r) => setTimeout(r, Number(cli.rest) * 1000));
};
const results = new Map<string, number[]>(variants.map((v) => [v, []]));
try {
  for (let round = 0; round < Number(cli.rounds); round++) {
    for (const v of round % 2 ? [...variants].reverse() : variants) {
      const dest = join(work, `dest-${v}`);
      await settle();
      const a = await ask(v, dest);
      await rm(dest, { recursive: true, force: true });
      results.get(v)!.push(size / 1024 / 1024 / a.seconds);
      process.stderr.write(
        `[probe] round ${round + 1} ${v}: ${(size / 1024 / 1024 / a.seconds).toFixed(0)} MiB/s, ` +
          `${a.minorFaults} minor page faults, ${a.cpuSeconds.toFixed(2)} s CPU (both threads)\n`,
      );
    }
  }
  for (const [v, mibs] of results) {
    const sorted = [...mibs].sort((a, b) => a - b);
    const f = (x: number) => x.toFixed(0);
    process.stdout.write(
      `probe_${v}_mib_per_s=${f(sorted[Math.floor(sorted.length / 2)]!)}   # min ${f(sorted[0]!)} max ${f(sorted.at(-1)!)}: ${PROBE_VARIANTS[v as keyof typeof PROBE_VARIANTS]}\n`,
    );
  }
} finally {
  await worker.terminate();
  server.close();
  await rm(work, { recursive: true, force: true });
}
