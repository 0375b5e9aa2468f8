// The resumable upload against a small tus server on loopback that drops the connection part-way, as a
// school's Wi-Fi does: the client asks the server's offset and sends only the rest, within one run and
// when the command is run again.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiClient } from "./api-client";
import { CliError, EXIT } from "./exit-codes";
import { progressBar, uploadResumable } from "./tus-upload";

interface Upload {
  length: number;
  data: Buffer;
  metadata: string;
}

function tusServer(opts: { dropAfter: number[] }) {
  const uploads = new Map<string, Upload>();
  const seen: string[] = [];
  let patches = 0;
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.headers["tus-resumable"] !== "1.0.0" || req.headers.authorization !== "Bearer ect_1_s") {
      res.writeHead(401, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ error: "UNAUTHORIZED", message: "Sign in." }));
    }
    if (req.method === "POST" && req.url === "/api/v1/uploads") {
      const id = `u${uploads.size + 1}`;
      uploads.set(id, {
        length: Number(req.headers["upload-length"]),
        data: Buffer.alloc(0),
        metadata: String(req.headers["upload-metadata"]),
      });
      res.writeHead(201, { location: `/api/v1/uploads/${id}`, "upload-offset": "0" });
      return void res.end();
    }
    const u = uploads.get(String(req.url).split("/").at(-1)!);
    if (!u) return void res.writeHead(404).end();
    if (req.method === "HEAD") {
      res.writeHead(200, { "upload-offset": String(u.data.length), "upload-length": String(u.length) });
      return void res.end();
    }
    if (req.method === "PATCH") {
      if (Number(req.headers["upload-offset"]) !== u.data.length) {
        res.writeHead(409, { "upload-offset": String(u.data.length) });
        return void res.end();
      }
      const drop = opts.dropAfter[patches++];
      let received = 0;
      req.on("data", (chunk: Buffer) => {
        if (drop !== undefined && received >= drop) return;
        const take = drop !== undefined ? chunk.subarray(0, drop - received) : chunk;
        u.data = Buffer.concat([u.data, take]);
        received += take.length;
        // What arrived is kept (as the portal's server flushes it); then the connection goes.
        if (drop !== undefined && received >= drop) req.socket.destroy();
      });
      req.on("end", () => {
        const done = u.data.length === u.length;
        res.writeHead(204, {
          "upload-offset": String(u.data.length),
          ...(done ? { "educloud-task-id": "task-1" } : {}),
        });
        res.end();
      });
    }
  });
  return { server, uploads, seen };
}

describe("images upload over tus", () => {
  let dir: string;
  let file: string;
  let content: Buffer;
  let stub: ReturnType<typeof tusServer>;
  let client: ApiClient;

  async function start(dropAfter: number[]) {
    stub = tusServer({ dropAfter });
    await new Promise<void>((r) => stub.server.listen(0, "127.0.0.1", r));
    client = new ApiClient(`http://127.0.0.1:${(stub.server.address() as AddressInfo).port}`, "ect_1_s");
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "educloud-tus-"));
    vi.stubEnv("XDG_CACHE_HOME", join(dir, "cache"));
    content = randomBytes(3 * 1024 * 1024 + 17);
    file = join(dir, "disk.qcow2");
    await writeFile(file, content);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await new Promise((r) => stub.server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it("resumes from the server's offset after a dropped connection, sending each byte once", async () => {
    await start([1024 * 1024]);
    const seenProgress: number[] = [];
    const result = await uploadResumable(
      client,
      file,
      { name: "Debian", format: "qcow2" },
      { retryDelayMs: 1, progress: (sent) => seenProgress.push(sent) },
    );
    expect(result.taskId).toBe("task-1");
    const up = stub.uploads.get("u1")!;
    expect(up.data.equals(content)).toBe(true);
    expect(up.metadata).toBe(
      `name ${Buffer.from("Debian").toString("base64")},format ${Buffer.from("qcow2").toString("base64")}`,
    );
    expect(stub.seen.filter((s) => s.startsWith("POST"))).toHaveLength(1);
    expect(stub.seen).toContain("HEAD /api/v1/uploads/u1");
    // The second PATCH started where the server's copy ended.
    expect(seenProgress).toContain(1024 * 1024);
    expect(seenProgress.at(-1)).toBe(content.length);
  });

  it("run again after giving up, it continues the same upload instead of starting over", async () => {
    await start([512 * 1024, 2 * 1024 * 1024]);
    const first = uploadResumable(
      client,
      file,
      { name: "Debian", format: "qcow2" },
      { retries: 0, retryDelayMs: 1 },
    );
    await expect(first).rejects.toBeInstanceOf(CliError);
    await expect(first).rejects.toMatchObject({ exitCode: EXIT.network });
    const again = await uploadResumable(
      client,
      file,
      { name: "Debian", format: "qcow2" },
      { retries: 3, retryDelayMs: 1 },
    );
    expect(again.resumedFrom).toBe(512 * 1024);
    expect(stub.uploads.size).toBe(1);
    expect(stub.uploads.get("u1")!.data.equals(content)).toBe(true);
    // Finished: the next run of the same command is a new upload, not a resume of a finished one.
    const third = await uploadResumable(
      client,
      file,
      { name: "Debian", format: "qcow2" },
      { retryDelayMs: 1 },
    );
    expect(third.resumedFrom).toBe(0);
    expect(stub.uploads.size).toBe(2);
  });

  it("a refusal is not retried: the portal's message, exit 1", async () => {
    await start([]);
    const wrong = new ApiClient(client.baseUrl, "ect_1_wrong");
    await expect(uploadResumable(wrong, file, { name: "x", format: "qcow2" })).rejects.toMatchObject({
      exitCode: EXIT.refused,
      message: "Sign in.",
    });
  });

  it("draws a progress bar", () => {
    expect(progressBar(0, 100, 10)).toBe("[----------]   0%  0.0/0.0 MiB");
    expect(progressBar(1048576, 2097152, 10)).toBe("[#####-----]  50%  1.0/2.0 MiB");
  });
});
