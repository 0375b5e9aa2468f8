// A small tus 1.0.0 client (creation + core) for the browser. The upload URL is remembered per file
// fingerprint in localStorage, so after a reload (or a dropped connection) choosing the same file again
// resumes with HEAD + PATCH from where the server is, not from zero. PATCH goes through XMLHttpRequest
// for byte-level progress (fetch cannot report how much of a request body was sent).
import type { FieldMessages, ServerMessage } from "@/common/message";
import { renderWithCurrent } from "./render-message";

const TUS = "1.0.0";
const STORE_PREFIX = "educloud.upload:";
const CHUNK_BYTES = 16 * 1024 * 1024;
const RETRIES = 5;

export interface PendingUpload {
  fingerprint: string;
  url: string;
  fileName: string;
  size: number;
  name: string;
  startedAt: number;
}

interface TusErrorBody {
  message?: string;
  fieldErrors?: Record<string, string> | null;
  serverMessage?: ServerMessage | null;
  fieldMessages?: FieldMessages | null;
}

/** A refused upload; message and fieldErrors are rendered from their codes in the reader's language. */
export class TusError extends Error {
  readonly body: { message?: string; fieldErrors?: Record<string, string> | null } | null;
  /** The refusal's code as sent, for logic that must not read text. */
  readonly serverMessage: ServerMessage | null;

  constructor(
    message: string,
    readonly status: number,
    body: TusErrorBody | null,
  ) {
    super(renderWithCurrent(body?.serverMessage, body?.message ?? message));
    const fieldErrors: Record<string, string> = { ...(body?.fieldErrors ?? {}) };
    for (const [key, m] of Object.entries(body?.fieldMessages ?? {}))
      fieldErrors[key] = renderWithCurrent(m, fieldErrors[key] ?? m.code);
    this.body = body ? { message: this.message, fieldErrors } : null;
    this.serverMessage = body?.serverMessage ?? null;
  }
}
export class TusAbortedError extends Error {}

export const fingerprintOf = (file: File) => `${file.name}:${file.size}:${file.lastModified}`;

export function listPendingUploads(): PendingUpload[] {
  const out: PendingUpload[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (!key?.startsWith(STORE_PREFIX)) continue;
    try {
      out.push(JSON.parse(localStorage.getItem(key)!) as PendingUpload);
    } catch {
      /* skip a damaged entry */
    }
  }
  return out.sort((a, b) => b.startedAt - a.startedAt);
}

function encodeMetadata(meta: Record<string, string>): string {
  const b64 = (v: string) =>
    btoa(Array.from(new TextEncoder().encode(v), (b) => String.fromCharCode(b)).join(""));
  return Object.entries(meta)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(",");
}

async function readBody(res: Response) {
  try {
    return (await res.json()) as TusErrorBody;
  } catch {
    return null;
  }
}

export interface TusUploadOptions {
  endpoint: string;
  file: File;
  metadata: Record<string, string>;
  /** Bytes on the server (sent so far) and the total. */
  onProgress?: (sent: number, total: number) => void;
  /** Told when an earlier upload of the same file is picked up, with its offset. */
  onResume?: (offset: number) => void;
  signal?: AbortSignal;
}

function patchChunk(
  url: string,
  file: File,
  offset: number,
  o: TusUploadOptions,
): Promise<{ offset: number; taskId: string | null }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const end = Math.min(file.size, offset + CHUNK_BYTES);
    xhr.upload.onprogress = (e) => o.onProgress?.(offset + e.loaded, file.size);
    xhr.onload = () => {
      if (xhr.status === 204)
        return resolve({
          offset: Number(xhr.getResponseHeader("upload-offset")),
          taskId: xhr.getResponseHeader("educloud-task-id"),
        });
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      reject(new TusError(body?.message ?? `HTTP ${xhr.status}`, xhr.status, body));
    };
    xhr.onerror = () => reject(new TypeError("network"));
    xhr.onabort = () => reject(new TusAbortedError("cancelled"));
    if (o.signal?.aborted) return reject(new TusAbortedError("cancelled"));
    o.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.open("PATCH", url);
    xhr.setRequestHeader("tus-resumable", TUS);
    xhr.setRequestHeader("upload-offset", String(offset));
    xhr.setRequestHeader("content-type", "application/offset+octet-stream");
    xhr.send(file.slice(offset, end));
  });
}

async function serverOffset(url: string, signal?: AbortSignal): Promise<number | null> {
  const res = await fetch(url, {
    method: "HEAD",
    headers: { "tus-resumable": TUS },
    cache: "no-store",
    signal,
  });
  return res.ok ? Number(res.headers.get("upload-offset")) : null;
}

/** Uploads (or resumes) the file; resolves with the id of the task that converts it. */
export async function tusUpload(o: TusUploadOptions): Promise<string> {
  const fp = fingerprintOf(o.file);
  const key = STORE_PREFIX + fp;
  let url: string | null = null;
  let offset = 0;
  const saved = localStorage.getItem(key);
  if (saved) {
    const p = JSON.parse(saved) as PendingUpload;
    const at = await serverOffset(p.url, o.signal).catch(() => null);
    if (at !== null) {
      url = p.url;
      offset = at;
      o.onResume?.(at);
    } else localStorage.removeItem(key);
  }
  if (!url) {
    const res = await fetch(o.endpoint, {
      method: "POST",
      signal: o.signal,
      headers: {
        "tus-resumable": TUS,
        "upload-length": String(o.file.size),
        "upload-metadata": encodeMetadata(o.metadata),
      },
    });
    if (res.status !== 201) {
      const body = await readBody(res);
      throw new TusError(body?.message ?? `HTTP ${res.status}`, res.status, body);
    }
    url = new URL(res.headers.get("location")!, window.location.href).toString();
    const pending: PendingUpload = {
      fingerprint: fp,
      url,
      fileName: o.file.name,
      size: o.file.size,
      name: o.metadata.name ?? o.file.name,
      startedAt: Date.now(),
    };
    localStorage.setItem(key, JSON.stringify(pending));
  }
  o.onProgress?.(offset, o.file.size);
  let failures = 0;
  for (;;) {
    try {
      const r = await patchChunk(url, o.file, offset, o);
      failures = 0;
      offset = r.offset;
      o.onProgress?.(offset, o.file.size);
      if (offset >= o.file.size) {
        localStorage.removeItem(key);
        return r.taskId ?? "";
      }
    } catch (err) {
      if (err instanceof TusAbortedError) throw err;
      // Refusals (4xx other than a stale offset) will not get better by retrying.
      if (err instanceof TusError && err.status !== 409 && err.status < 500) {
        localStorage.removeItem(key);
        throw err;
      }
      if (++failures > RETRIES) throw err;
      await new Promise((r) => setTimeout(r, 500 * 2 ** failures));
      const at = await serverOffset(url, o.signal).catch(() => null);
      if (at === null) {
        localStorage.removeItem(key);
        throw new TusError("The upload is gone from the server.", 404, null);
      }
      offset = at;
    }
  }
}
