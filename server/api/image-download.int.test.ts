// The user download route over real HTTP: Range (206 with the right bytes, 416 past the end), a resume
// that reproduces the image's sha256, If-Range, and images the caller may not see.
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const storeDir = await mkdtemp(join(tmpdir(), "educloud-dl-"));
process.env.IMAGE_STORE_DIR = storeDir; // read by the route's env, imported below

const { makeUser, openTestServices } = await import("@/server/testing/fixtures");
const { serveRoute } = await import("@/server/testing/serve-route");
const { sessionCookieFor } = await import("@/server/testing/tus-client");
const { importImage, incomingDir } = await import("@/server/domain/images/import-image");
const { env } = await import("@/server/env");
const route = await import("@/app/api/v1/images/[id]/download/route");

let s: ReturnType<typeof openTestServices>;
let server: { url: string; close(): Promise<void> };
let owner: string, stranger: string;
let image: { id: string; sha256: string; sizeBytes: number };
let whole: Buffer;

beforeAll(async () => {
  s = openTestServices();
  server = await serveRoute("/api/v1/images/:id/download", ((req: Request, ctx: never) =>
    req.method === "HEAD" ? route.HEAD(req, ctx) : route.GET(req, ctx)) as never);
  const ownerUser = await makeUser(s, "powerUser");
  owner = await sessionCookieFor(s, ownerUser.id, env.NEXTAUTH_SECRET);
  stranger = await sessionCookieFor(s, (await makeUser(s, "user")).id, env.NEXTAUTH_SECRET);
  await mkdir(incomingDir(storeDir), { recursive: true });
  const incomingPath = join(incomingDir(storeDir), "dl");
  writeFileSync(incomingPath, randomBytes(3 * 1024 * 1024));
  image = await importImage(
    { db: s.db, storeDir },
    { incomingPath, name: "private one", format: "raw", visibility: "private", ownerId: ownerUser.id },
  );
  whole = Buffer.from(
    await (
      await fetch(`${server.url}/api/v1/images/${image.id}/download`, { headers: { cookie: owner } })
    ).arrayBuffer(),
  );
});
afterAll(async () => {
  await server?.close();
  await s?.close();
  await rm(storeDir, { recursive: true, force: true });
});

const get = (headers: Record<string, string>, id = image.id) =>
  fetch(`${server.url}/api/v1/images/${id}/download`, { headers });
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("image download", () => {
  it("sends the whole file with its ETag and a file name", async () => {
    expect(whole.length).toBe(image.sizeBytes);
    expect(sha(whole)).toBe(image.sha256);
    const res = await get({ cookie: owner });
    expect(res.headers.get("etag")).toBe(`"${image.sha256}"`);
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="private-one-v1\.qcow2"/);
    await res.body?.cancel();
  });

  it("answers a Range with 206 and exactly those bytes", async () => {
    const res = await get({ cookie: owner, range: "bytes=1000-1999" });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 1000-1999/${image.sizeBytes}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(whole.subarray(1000, 2000))).toBe(true);
  });

  it("resumes an interrupted download from an offset and ends with the image's sha256", async () => {
    const cut = 1_234_567;
    const first = await get({ cookie: owner, range: `bytes=0-${cut - 1}` });
    const head = Buffer.from(await first.arrayBuffer());
    const rest = await get({ cookie: owner, range: `bytes=${cut}-`, "if-range": `"${image.sha256}"` });
    expect(rest.status).toBe(206);
    expect(sha(Buffer.concat([head, Buffer.from(await rest.arrayBuffer())]))).toBe(image.sha256);
  });

  it("says 416 past the end, and sends the whole file when If-Range no longer matches", async () => {
    const past = await get({ cookie: owner, range: `bytes=${image.sizeBytes}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${image.sizeBytes}`);
    const changed = await get({ cookie: owner, range: "bytes=10-", "if-range": '"something-else"' });
    expect(changed.status).toBe(200);
    expect(Number(changed.headers.get("content-length"))).toBe(image.sizeBytes);
    await changed.body?.cancel();
  });

  it("does not serve an image to someone who may not see it, nor to nobody", async () => {
    expect((await get({ cookie: stranger })).status).toBe(404);
    expect((await get({})).status).toBe(401);
    expect((await get({ cookie: owner }, "not-a-uuid")).status).toBe(404);
  });
});
