// The tus route handlers over real HTTP: a 200 MB upload dropped half-way resumes from where the server
// says it is and ends as an image whose checksums match the file, computed here independently.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { createServer } from "node:http";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, images } from "@/db/schema";
import { CLIENT_IP_HEADER } from "@/server/auth/client-ip";
import { formatUploadMetadata } from "./tus-headers";
import { env } from "@/server/env";
import { getServices } from "@/server/services";
import { makeUser, openTestServices, type TestServices } from "@/server/testing/fixtures";
import { serveRoutes } from "@/server/testing/serve-route";
import { createTusClient, sessionCookieFor, waitForTask } from "@/server/testing/tus-client";

const work = await mkdtemp(join(tmpdir(), "tus-test-"));
const store = join(work, "store");
// The routes read their configuration from the process's services (server/services.ts), already built
// by the imports above; the tus server is built on the first request, after this.
Object.assign(getServices().settings, { imageStoreDir: store });
const creation = await import("@/app/api/v1/uploads/route");
const one = await import("@/app/api/v1/uploads/[id]/route");
const { sharedPortalTus } = await import("./build-portal-tus");
const { matchUploadRequest, serveUploadRequest } = await import("./serve-upload-node");
const { createTusServer } = await import("./tus-server");
const { resolveSessionCaller } = await import("@/server/http/caller");

let s: TestServices;
let server: { url: string; close(): Promise<void> };
let nodeServer: { url: string; close(): Promise<void> };
let cookie: string;
let otherCookie: string;

async function sha256(path: string): Promise<string> {
  const h = createHash("sha256");
  await pipeline(createReadStream(path), h);
  return h.digest("hex");
}

beforeAll(async () => {
  s = openTestServices();
  server = await serveRoutes([
    { pattern: "/api/v1/uploads", handler: creation.POST as never },
    {
      pattern: "/api/v1/uploads/:id",
      handler: (async (req: Request, ctx: never) => {
        const h = { HEAD: one.HEAD, PATCH: one.PATCH, DELETE: one.DELETE }[
          req.method as "HEAD" | "PATCH" | "DELETE"
        ];
        return h ? h(req, ctx) : new Response(null, { status: 405 });
      }) as never,
    },
  ]);
  const uploads = sharedPortalTus(s.db);
  const http = createServer((req, res) => {
    const id = matchUploadRequest(req.method, req.url);
    if (!id) return void res.writeHead(404).end();
    void serveUploadRequest(uploads, id, req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  nodeServer = {
    url: `http://127.0.0.1:${(http.address() as { port: number }).port}`,
    close: () => new Promise((r) => http.close(() => r())),
  };
  cookie = await sessionCookieFor(s, (await makeUser(s, "powerAdm")).id, env.NEXTAUTH_SECRET);
  otherCookie = await sessionCookieFor(s, (await makeUser(s, "powerAdm")).id, env.NEXTAUTH_SECRET);
});
afterAll(async () => {
  await server?.close();
  await nodeServer?.close();
  await s?.close();
  await rm(work, { recursive: true, force: true });
});

describe("tus uploads", () => {
  // Through the App Router route handler (a web stream), and through the path the portal's custom server
  // takes for an upload's own requests (straight from Node's request, server/uploads/serve-upload-node.ts),
  // with a Content-Length as browsers send it and chunked.
  it.each([
    { via: "route handler", contentLength: true },
    { via: "custom server", contentLength: true },
    { via: "custom server", contentLength: false },
  ] as const)(
    "resumes a 200 MB upload dropped half-way and records the right sha256 ($via, Content-Length: $contentLength)",
    async ({ via, contentLength }) => {
      const file = join(work, "big.raw");
      const size = 200 * 1024 * 1024;
      const out = createWriteStream(file);
      for (let i = 0; i < size / (4 * 1024 * 1024); i++)
        if (!out.write(randomBytes(4 * 1024 * 1024)))
          await new Promise<void>((r) => out.once("drain", () => r()));
      await new Promise<void>((r) => out.end(() => r()));
      const expected = await sha256(file);

      const tus = createTusClient(via === "route handler" ? server.url : nodeServer.url, cookie);
      const created = await createTusClient(server.url, cookie).create(size, {
        name: "resumed",
        format: "raw",
        visibility: "private",
        filename: "big.raw",
      });
      expect(created.status).toBe(201);
      const location = String(created.headers.location);
      expect(location).toMatch(/^\/api\/v1\/uploads\/[0-9a-f-]{36}$/);

      const started = Date.now();
      const dropped = await tus.patch(location, file, 0, { dropAfter: size / 2, contentLength });
      expect(dropped.status).toBe(0);

      // Someone else cannot see or touch this upload.
      expect(
        (
          await createTusClient(via === "route handler" ? server.url : nodeServer.url, otherCookie).head(
            location,
          )
        ).status,
      ).toBe(404);

      const head = await tus.head(location);
      expect(head.status).toBe(200);
      const offset = Number(head.headers["upload-offset"]);
      expect(Number(head.headers["upload-length"])).toBe(size);
      // The bytes that arrived before the drop are kept: the resume starts well past zero.
      expect(offset).toBeGreaterThan(size / 4);
      expect(offset).toBeLessThanOrEqual(size / 2);

      // A PATCH at the wrong offset is refused with the real one.
      const wrong = await tus.patch(location, file, 0, { end: 1023 });
      expect(wrong.status).toBe(409);
      expect(Number(wrong.headers["upload-offset"])).toBe(offset);

      const rest = await tus.patch(location, file, offset, { contentLength });
      expect(rest.status).toBe(204);
      expect(Number(rest.headers["upload-offset"])).toBe(size);
      const taskId = String(rest.headers["educloud-task-id"]);
      const task = await waitForTask(s, taskId, 120_000);
      expect(task.error).toBeNull();
      expect(task.state).toBe("succeeded");
      console.log(`200 MB upload with a drop and a resume, then conversion: ${Date.now() - started} ms`);

      const [image] = await s.db.select().from(images).where(eq(images.id, task.targetId!));
      expect(image!.sourceSha256).toBe(expected);
      expect(image!.format).toBe("qcow2");
      expect(image!.sha256).toBe(await sha256(join(store, image!.sha256)));
      // Nothing of the upload is left: not its data, not its record, not the incoming file.
      expect((await tus.head(location)).status).toBe(404);
      expect(await readdir(join(store, ".uploads"))).toEqual([]);
      expect(await readdir(join(store, ".incoming"))).toEqual([]);
    },
    180_000,
  );

  it("refuses a request without the tus version, a wrong content type, and deletes on termination", async () => {
    const tus = createTusClient(server.url, cookie);
    const created = await tus.create(4096, { name: "t", format: "raw", visibility: "private" });
    const location = String(created.headers.location);
    expect(created.status).toBe(201);
    const noVersion = await fetch(`${server.url}${location}`, { method: "HEAD", headers: { cookie } });
    expect(noVersion.status).toBe(412);
    const wrongType = await fetch(`${server.url}${location}`, {
      method: "PATCH",
      headers: {
        cookie,
        "tus-resumable": "1.0.0",
        "upload-offset": "0",
        "content-type": "application/octet-stream",
      },
      body: "x",
    });
    expect(wrongType.status).toBe(415);
    expect((await tus.terminate(location)).status).toBe(204);
    expect((await tus.head(location)).status).toBe(404);
    expect(
      (await readdir(join(store, ".uploads"))).filter((n) => n.startsWith(location.split("/").pop()!)),
    ).toEqual([]);
  });

  it("a PATCH with more bytes than the upload has room for gets 413 while the client is still sending, and changes nothing", async () => {
    const file = join(work, "too-much.raw");
    await writeFile(file, randomBytes(64 * 1024 * 1024));
    const tus = createTusClient(nodeServer.url, cookie);
    const created = await createTusClient(server.url, cookie).create(1024 * 1024, {
      name: "small",
      format: "raw",
      visibility: "private",
    });
    const location = String(created.headers.location);
    // 64 MiB against 1 MiB of room: the answer comes long before the client could finish sending.
    const answer = await tus.patch(location, file, 0, { contentLength: true });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).message).toMatch(/more bytes than Upload-Length/);
    // The upload is where it was: a corrected client resumes from 0.
    expect((await tus.head(location)).headers["upload-offset"]).toBe("0");
    const right = join(work, "right.raw");
    await writeFile(right, randomBytes(1024 * 1024));
    const done = await tus.patch(location, right, 0, { contentLength: true });
    expect(done.status).toBe(204);
    expect(done.headers["upload-offset"]).toBe(String(1024 * 1024));
    await waitForTask(s, String(done.headers["educloud-task-id"]), 60_000);
  });

  it("a full image store stops the upload with 507 and a clear message; what arrived stays for a resume", async () => {
    // A store of its own on a 4 MiB tmpfs (the tests run as root, as the agent's network tests do).
    const small = join(work, "small-store");
    await mkdir(small, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", small]);
    const http = createServer();
    try {
      const tus = createTusServer({
        db: s.db,
        storeDir: small,
        maxBytes: 64 * 1024 * 1024,
        convertTimeoutSeconds: 60,
        basePath: "/api/v1/uploads",
        resolveCaller: (req) =>
          resolveSessionCaller(req, {
            db: s.db,
            redis: s.redis,
            redisPrefix: s.prefix,
            secret: env.NEXTAUTH_SECRET,
          }),
      });
      http.on("request", (req, res) => {
        const id = matchUploadRequest(req.method, req.url);
        if (id) return void serveUploadRequest(tus, id, req, res).catch(() => res.writeHead(500).end());
        void tus
          .create(
            new Request(`http://portal${req.url}`, {
              method: "POST",
              headers: req.headers as Record<string, string>,
            }),
          )
          .then(async (a) => {
            res.writeHead(a.status, Object.fromEntries(a.headers));
            res.end(Buffer.from(await a.arrayBuffer()));
          });
      });
      await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
      const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
      const client = createTusClient(url, cookie);
      const file = join(work, "bigger-than-store.raw");
      await writeFile(file, randomBytes(8 * 1024 * 1024));
      const location = String(
        (await client.create(8 * 1024 * 1024, { name: "full", format: "raw", visibility: "private" })).headers
          .location,
      );
      const answer = await client.patch(location, file, 0, { contentLength: true });
      expect(answer.status).toBe(507);
      expect(JSON.parse(answer.body).message).toMatch(/image store is full/);
      const offset = Number((await client.head(location)).headers["upload-offset"]);
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThan(4 * 1024 * 1024);
    } finally {
      http.close();
      execFileSync("umount", [small]);
    }
  });

  it("records who started an upload, and from which address, in the audit log", async () => {
    // The custom server (server/main.ts) sets this header from the socket on every request.
    const created = await fetch(`${server.url}/api/v1/uploads`, {
      method: "POST",
      headers: {
        cookie,
        "tus-resumable": "1.0.0",
        "upload-length": "4096",
        "upload-metadata": formatUploadMetadata({ name: "a", format: "raw", visibility: "private" }),
        [CLIENT_IP_HEADER]: "198.51.100.7",
      },
    });
    expect(created.status).toBe(201);
    const id = created.headers.get("location")!.split("/").pop()!;
    const [row] = await s.db.select().from(auditLog).where(eq(auditLog.targetId, id));
    expect(row).toMatchObject({ action: "images.upload", result: "success", sourceIp: "198.51.100.7" });
  });

  it("refuses an anonymous caller and a plain user's public upload", async () => {
    expect((await createTusClient(server.url, "").create(10, { name: "x", format: "raw" })).status).toBe(401);
    const powerUser = await sessionCookieFor(s, (await makeUser(s, "powerUser")).id, env.NEXTAUTH_SECRET);
    const refused = await createTusClient(server.url, powerUser).create(4096, {
      name: "x",
      format: "raw",
      visibility: "public",
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).message).toMatch(/private images only/);
    expect(
      (
        await createTusClient(server.url, powerUser).create(4096, {
          name: "x",
          format: "raw",
          visibility: "private",
        })
      ).status,
    ).toBe(201);
  });
});
