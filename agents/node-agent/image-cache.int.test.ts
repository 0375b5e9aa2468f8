// The cache limit on real files: least recently used images go first; one a VM depends on (as its
// driver says), or one leased for a VM being built, never does.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { agentImagePath } from "../protocol/index";
import { ImageCache } from "./image-cache";

let dir: string;
let server: Server;
let url: string;
const creds = () => ({ hostId: "h", hostSecret: "s", portalUrl: url });
const blobs = new Map<string, Buffer>();

function blob(size: number) {
  const data = randomBytes(size);
  const sha256 = createHash("sha256").update(data).digest("hex");
  const ref = {
    id: randomUUID(),
    sha256,
    format: "qcow2" as const,
    sizeBytes: size,
  };
  blobs.set(agentImagePath(ref.id), data);
  return ref;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cache-test-"));
  server = createServer((req, res) => {
    const data = blobs.get(req.url ?? "");
    if (!data) return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": data.length }).end(data);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("ImageCache downloads", () => {
  it("stop at the announced size: a portal sending more fills no more of the host's disk", async () => {
    const cacheDir = join(dir, "images-oversize");
    const small = blob(1024 * 1024);
    // The server answers the image's path with 64 MiB instead of the announced 1 MiB.
    blobs.set(agentImagePath(small.id), randomBytes(64 * 1024 * 1024));
    const written: number[] = [];
    const watch = setInterval(() => {
      void readdir(cacheDir)
        .then((names) => Promise.all(names.map((n) => stat(join(cacheDir, n)).then((st) => st.size))))
        .then((sizes) => written.push(...sizes))
        .catch(() => undefined);
    }, 5);
    const cache = new ImageCache(cacheDir, creds());
    await expect(cache.ensure(small)).rejects.toThrow(/more than the image's announced 1048576 bytes/);
    clearInterval(watch);
    expect(await readdir(cacheDir)).toEqual([]);
    // Never much beyond the announced size on disk (one chunk of slack), rather than all 64 MiB.
    expect(Math.max(0, ...written)).toBeLessThan(2 * 1024 * 1024);
  });

  it("send the host's credentials only to the portal it joined, and follow no redirect elsewhere", async () => {
    const seen: (string | undefined)[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200).end("x");
    });
    await new Promise<void>((r) => elsewhere.listen(0, "127.0.0.1", () => r()));
    const other = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}`;
    const redirecting = createServer((req, res) => {
      seen.push(`portal:${req.headers.authorization}`);
      res.writeHead(302, { location: `${other}/steal` }).end();
    });
    await new Promise<void>((r) => redirecting.listen(0, "127.0.0.1", () => r()));
    const portalUrl = `http://127.0.0.1:${(redirecting.address() as { port: number }).port}`;
    try {
      const cache = new ImageCache(join(dir, "images-redirect"), { hostId: "h", hostSecret: "s", portalUrl });
      // A job naming another address is not even read: the image ref has no URL field any more.
      const ref = { ...blob(1024), url: `${other}/steal` } as ReturnType<typeof blob>;
      await expect(cache.ensure(ref)).rejects.toThrow();
      expect(seen).toEqual(["portal:Bearer h.s"]);
    } finally {
      elsewhere.close();
      redirecting.close();
    }
  });
});

describe("ImageCache with a size limit", () => {
  it("evicts the least recently used unused image and never one a VM uses", async () => {
    const cacheDir = join(dir, "images");
    const inUse: string[] = [];
    const evicted: string[] = [];
    const cache = new ImageCache(cacheDir, creds(), {
      maxBytes: 3 * 1024 * 1024,
      imagesInUse: async () => inUse,
      onEvicted: (sha) => evicted.push(sha),
    });
    const [a, b, c, d] = [blob(1024 * 1024), blob(1024 * 1024), blob(1024 * 1024), blob(1024 * 1024)];
    for (const [i, ref] of [a, b, c].entries()) {
      const path = await cache.ensure(ref);
      await utimes(path, new Date(Date.now() - (10 - i) * 60_000), new Date(Date.now() - (10 - i) * 60_000)); // a oldest, c newest
    }
    // A VM uses the oldest one (its disk is built on it); an image outside the cache changes nothing.
    inUse.push(cache.pathOf(a), join(dir, "elsewhere", c.sha256));
    // Using b again makes it the most recent: c is now the least recently used unused image.
    await cache.ensure(b);

    await cache.ensure(d);
    expect(evicted).toEqual([c.sha256]);
    expect((await readdir(cacheDir)).sort()).toEqual([a.sha256, b.sha256, d.sha256].sort());
    expect(await cache.has(a)).toBe(true);
  });

  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

  it("keeps a leased image, which no VM record names yet, until the lease is released", async () => {
    const cacheDir = join(dir, "images-leased");
    const evicted: string[] = [];
    const cache = new ImageCache(cacheDir, creds(), {
      maxBytes: 2 * 1024 * 1024,
      imagesInUse: async () => [],
      onEvicted: (sha) => evicted.push(sha),
    });
    const [a, b, c, d] = [blob(1024 * 1024), blob(1024 * 1024), blob(1024 * 1024), blob(1024 * 1024)];
    // A create holds a: the overlay is being built on it, spec.json is not written yet.
    const lease = await cache.lease(a);
    await utimes(lease.path, minutesAgo(10), minutesAgo(10)); // the least recently used
    await utimes(await cache.ensure(b), minutesAgo(5), minutesAgo(5));

    await cache.ensure(c); // a sync needs room
    expect(evicted).toEqual([b.sha256]);
    expect(existsSync(lease.path)).toBe(true);

    lease.release();
    lease.release(); // a second release changes nothing
    await cache.ensure(d);
    expect(evicted).toEqual([b.sha256, a.sha256]);
    expect((await readdir(cacheDir)).sort()).toEqual([c.sha256, d.sha256].sort());
  });

  it("evicts nothing when the drivers cannot tell which images their VMs use", async () => {
    const cacheDir = join(dir, "images-unknown");
    const evicted: string[] = [];
    const cache = new ImageCache(cacheDir, creds(), {
      maxBytes: 1024 * 1024,
      imagesInUse: async () => {
        throw new Error("EACCES: vms/");
      },
      onEvicted: (sha) => evicted.push(sha),
    });
    const [a, b] = [blob(1024 * 1024), blob(1024 * 1024)];
    await cache.ensure(a);
    await cache.ensure(b); // over the limit rather than risk a VM's base
    expect(evicted).toEqual([]);
    expect((await readdir(cacheDir)).sort()).toEqual([a.sha256, b.sha256].sort());
  });

  it("keeps an image leased while an eviction is already choosing its victims", async () => {
    const cacheDir = join(dir, "images-racing");
    const evicted: string[] = [];
    const cache = new ImageCache(cacheDir, creds(), {
      maxBytes: 2 * 1024 * 1024,
      onEvicted: (sha) => evicted.push(sha),
    });
    const [a, b, c] = [blob(1024 * 1024), blob(1024 * 1024), blob(1024 * 1024)];
    await utimes(await cache.ensure(a), minutesAgo(10), minutesAgo(10));
    await utimes(await cache.ensure(b), minutesAgo(5), minutesAgo(5));
    // The create's lease arrives after the eviction for c has read what is busy, before it removes anything.
    const list = cache.list.bind(cache);
    let leasing: ReturnType<ImageCache["lease"]> | undefined;
    vi.spyOn(cache, "list").mockImplementation(async () => {
      const cached = await list();
      leasing ??= cache.lease(a);
      return cached;
    });

    await cache.ensure(c);
    const lease = await leasing!;
    expect(evicted).not.toContain(a.sha256);
    expect(existsSync(lease.path)).toBe(true);
    lease.release();
  });
});
