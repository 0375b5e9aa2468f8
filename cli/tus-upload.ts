// A resumable upload over tus 1.0.0 (creation + core), as the portal speaks it at /api/v1/uploads. The
// upload's URL is remembered per (portal, file, size, mtime, metadata) in the cache directory, so running
// the same command again after a dropped connection or Ctrl-C resumes from the offset the server reports
// (HEAD) instead of starting over; within one run a dropped PATCH is retried from that offset too.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { join, resolve } from "node:path";
import { apiErrorOf, networkError, type ApiClient } from "./api-client";
import { cacheDir } from "./config";
import { CliError, EXIT } from "./exit-codes";

export const TUS_VERSION = "1.0.0";

export interface UploadProgress {
  (sent: number, total: number): void;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export function formatUploadMetadata(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => (v === "" ? k : `${k} ${Buffer.from(v, "utf8").toString("base64")}`))
    .join(",");
}

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  file?: { path: string; start: number; onBytes: (n: number) => void },
): Promise<Answer> {
  const request = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((done, fail) => {
    const req = request(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on("error", fail);
    });
    req.on("error", fail);
    if (!file) return void req.end();
    const stream = createReadStream(file.path, { start: file.start, highWaterMark: 1024 * 1024 });
    stream.on("data", (chunk) => file.onBytes(chunk.length));
    stream.on("error", (err) => req.destroy(err));
    stream.pipe(req);
  });
}

const parseOffset = (h: string | string[] | undefined) => {
  const n = Number(Array.isArray(h) ? h[0] : h);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
};

interface ResumeState {
  [key: string]: { location: string; savedAt: number };
}

const stateFile = () => join(cacheDir(), "uploads.json");

async function readState(): Promise<ResumeState> {
  try {
    return JSON.parse(await readFile(stateFile(), "utf8")) as ResumeState;
  } catch {
    return {};
  }
}

async function writeState(update: (s: ResumeState) => void): Promise<void> {
  const state = await readState();
  update(state);
  await mkdir(cacheDir(), { recursive: true, mode: 0o700 });
  const tmp = `${stateFile()}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
  await rename(tmp, stateFile());
}

export interface UploadResult {
  /** The import task the portal started when the last byte arrived. */
  taskId: string | null;
  /** Where it began: 0, or the offset of an earlier attempt it resumed from. */
  resumedFrom: number;
  bytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function uploadResumable(
  client: ApiClient,
  path: string,
  metadata: Record<string, string>,
  opts: { progress?: UploadProgress; retries?: number; retryDelayMs?: number } = {},
): Promise<UploadResult> {
  const full = resolve(path);
  let info;
  try {
    info = await stat(full);
  } catch {
    throw new CliError(`Cannot read ${path}.`, EXIT.usage);
  }
  if (!info.isFile() || info.size === 0)
    throw new CliError(`${path} is not a file with data in it.`, EXIT.usage);
  const total = info.size;
  const key = createHash("sha256")
    .update(JSON.stringify([client.baseUrl, full, total, info.mtimeMs, metadata]))
    .digest("hex");
  const common = { "tus-resumable": TUS_VERSION, ...client.authHeaders() };
  const call = async (
    url: string,
    method: string,
    headers: Record<string, string>,
    file?: Parameters<typeof send>[3],
  ) => {
    try {
      return await send(url, method, { ...common, ...headers }, file);
    } catch (err) {
      return { status: 0, headers: {}, body: "", error: err } as Answer & { error: unknown };
    }
  };
  const refusal = (a: Answer) => {
    let body: unknown = a.body;
    try {
      body = JSON.parse(a.body);
    } catch {
      /* text */
    }
    return apiErrorOf({ status: a.status, body });
  };

  // An earlier attempt of this same upload? Ask the server how far it got.
  let location: string | null = null;
  let offset = 0;
  const saved = (await readState())[key];
  if (saved) {
    const head = await call(client.urlOf(saved.location), "HEAD", {});
    const at = parseOffset(head.headers["upload-offset"]);
    if (head.status === 200 && at !== null && parseOffset(head.headers["upload-length"]) === total) {
      location = saved.location;
      offset = at;
    }
  }
  const resumedFrom = offset;
  if (!location) {
    const created = await call(client.urlOf("/uploads"), "POST", {
      "upload-length": String(total),
      "upload-metadata": formatUploadMetadata(metadata),
      "content-length": "0",
    });
    if (created.status === 0) throw networkError(client.baseUrl, (created as { error?: unknown }).error);
    if (created.status !== 201) throw refusal(created);
    location = String(created.headers.location);
    await writeState((s) => {
      s[key] = { location: location!, savedAt: Date.now() };
    });
  }

  const retries = opts.retries ?? 5;
  for (let attempt = 0; ; attempt++) {
    opts.progress?.(offset, total);
    let sent = offset;
    const patched = await call(
      client.urlOf(location),
      "PATCH",
      {
        "content-type": "application/offset+octet-stream",
        "upload-offset": String(offset),
        "content-length": String(total - offset),
      },
      {
        path: full,
        start: offset,
        onBytes: (n) => {
          sent += n;
          opts.progress?.(Math.min(sent, total), total);
        },
      },
    );
    const now = parseOffset(patched.headers["upload-offset"]);
    if (patched.status === 204 && now === total) {
      await writeState((s) => {
        delete s[key];
      });
      const task = patched.headers["educloud-task-id"];
      return { taskId: task ? String(task) : null, resumedFrom, bytes: total };
    }
    // A refusal that trying again cannot fix (rights, quota, size) ends here.
    if ([401, 403, 404, 412, 413, 415].includes(patched.status)) {
      if (patched.status === 404)
        await writeState((s) => {
          delete s[key];
        });
      throw refusal(patched);
    }
    if (attempt >= retries) {
      if (patched.status === 0) throw networkError(client.baseUrl, (patched as { error?: unknown }).error);
      throw refusal(patched);
    }
    await sleep((opts.retryDelayMs ?? 1000) * 2 ** Math.min(attempt, 4));
    // Resume from what the server holds (a 409 says it; otherwise ask).
    const known = patched.status === 409 ? now : null;
    if (known !== null) offset = known;
    else {
      const head = await call(client.urlOf(location), "HEAD", {});
      const at = parseOffset(head.headers["upload-offset"]);
      if (head.status === 200 && at !== null) offset = at;
      else if (head.status !== 0) throw refusal(head);
    }
  }
}

/** "[#########-----------]  45%  120.0/266.0 MiB" for a terminal; redrawn in place with \r. */
export function progressBar(sent: number, total: number, width = 30): string {
  const frac = total > 0 ? Math.min(1, sent / total) : 1;
  const filled = Math.round(frac * width);
  const mib = (n: number) => (n / 1048576).toFixed(1);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%  ${mib(sent)}/${mib(total)} MiB`;
}
