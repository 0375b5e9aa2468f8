// A minimal tus client for tests and the bench: real HTTP, with a way to drop the connection half-way.
import { createReadStream, statSync } from "node:fs";
import { request } from "node:http";
import { encode } from "next-auth/jwt";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { newSessionId, startSession } from "@/server/domain/account/sessions";
import { formatUploadMetadata, TUS_CONTENT_TYPE, TUS_VERSION } from "@/server/uploads/tus-headers";
import type { TestServices } from "./fixtures";

/** A next-auth session cookie for the user, signed with `secret`, and its session started (what sign-in does). */
export async function sessionCookieFor(s: TestServices, userId: number, secret: string): Promise<string> {
  const [u] = await s.db
    .select({ sv: users.sessionVersion, name: users.username })
    .from(users)
    .where(eq(users.id, userId));
  const sid = newSessionId();
  await startSession({ redis: s.redis, redisPrefix: s.prefix }, userId, sid, 3600);
  const token = await encode({ token: { uid: userId, sv: u!.sv, sid, name: u!.name }, secret });
  return `next-auth.session-token=${token}`;
}

export interface TusAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface SendBody {
  path: string;
  start: number;
  end?: number;
  dropAfter?: number;
  contentLength?: boolean;
}

function send(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: SendBody,
): Promise<TusAnswer> {
  if (body?.contentLength) {
    // What a browser sends (a Blob has a size); without it Node's client sends the body chunked.
    headers = {
      ...headers,
      "content-length": String((body.end ?? statSync(body.path).size - 1) - body.start + 1),
    };
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = "";
      res
        .setEncoding("utf8")
        .on("data", (d: string) => {
          text += d;
        })
        .on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    if (!body) return void req.end();
    const file = createReadStream(body.path, {
      start: body.start,
      end: body.end,
      highWaterMark: 1024 * 1024,
    });
    let sent = 0;
    file.on("data", (chunk) => {
      sent += chunk.length;
      const ok = req.write(chunk);
      if (body.dropAfter !== undefined && sent >= body.dropAfter) {
        file.destroy();
        // The connection drops mid-request, as when a laptop's Wi-Fi goes away.
        req.destroy();
        resolve({ status: 0, headers: {}, body: "dropped" });
        return;
      }
      if (!ok) {
        file.pause();
        req.once("drain", () => file.resume());
      }
    });
    file.on("end", () => req.end());
  });
}

export function createTusClient(baseUrl: string, cookie: string) {
  const common = { "tus-resumable": TUS_VERSION, cookie };
  return {
    create: (length: number, metadata: Record<string, string>) =>
      send("POST", `${baseUrl}/api/v1/uploads`, {
        ...common,
        "upload-length": String(length),
        "upload-metadata": formatUploadMetadata(metadata),
      }),
    head: (location: string) => send("HEAD", `${baseUrl}${location}`, common),
    /**
     * Sends the file from `offset` to the end (or drops the connection after `dropAfter` bytes), chunked
     * unless `contentLength` (as browsers send it).
     */
    patch: (
      location: string,
      path: string,
      offset: number,
      opts: { dropAfter?: number; end?: number; contentLength?: boolean } = {},
    ) =>
      send(
        "PATCH",
        `${baseUrl}${location}`,
        { ...common, "content-type": TUS_CONTENT_TYPE, "upload-offset": String(offset) },
        { path, start: offset, ...opts },
      ),
    terminate: (location: string) => send("DELETE", `${baseUrl}${location}`, common),
  };
}

/** Waits for a task to finish; returns its row. */
export async function waitForTask(s: TestServices, id: string, timeoutMs = 60_000) {
  const { tasks } = await import("@/db/schema");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [t] = await s.db.select().from(tasks).where(eq(tasks.id, id));
    if (t && (t.state === "succeeded" || t.state === "failed")) return t;
    if (Date.now() > deadline)
      throw new Error(`task ${id} did not finish (last: ${t?.state} ${t?.percent}%)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
