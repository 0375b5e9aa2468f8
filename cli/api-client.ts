// The portal's REST API over fetch: JSON in and out, the bearer token on every request, and the one error
// shape turned into an ApiError (exit 1) — or a NetworkError (exit 3) when no answer came at all.
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ApiError, CliError, EXIT, type ApiErrorBody } from "./exit-codes";

export const API_BASE = "/api/v1";

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, text for other types, null for an empty body. */
  body: unknown;
}

export interface RequestOptions {
  query?: URLSearchParams;
  body?: unknown;
  /** Extra headers (tus). */
  headers?: Record<string, string>;
  /** Return error answers instead of throwing (`educloud api` prints them as they are). */
  raw?: boolean;
}

export function networkError(url: string, err: unknown): CliError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  return new CliError(`Could not reach the portal at ${url} (${why}).`, EXIT.network);
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string | null,
  ) {}

  /** An absolute URL for a path under /api/v1 (or a Location the portal gave, which starts with it). */
  urlOf(path: string, query?: URLSearchParams): string {
    const full = path.startsWith(API_BASE + "/") || path === API_BASE ? path : `${API_BASE}${path}`;
    const q = query && [...query.keys()].length ? `?${query.toString()}` : "";
    return `${this.baseUrl}${full}${q}`;
  }

  authHeaders(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { accept: "application/json", ...this.authHeaders() };
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    const url = this.urlOf(path, opts.query);
    let res: Response;
    try {
      res = await fetch(url, { method, headers: { ...headers, ...opts.headers }, body, redirect: "manual" });
    } catch (err) {
      throw networkError(this.baseUrl, err);
    }
    const text = await res.text().catch((err: unknown) => {
      throw networkError(this.baseUrl, err);
    });
    const type = res.headers.get("content-type") ?? "";
    let parsed: unknown = text === "" ? null : text;
    if (text !== "" && /json/i.test(type)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const answer = { status: res.status, headers: res.headers, body: parsed };
    if (res.status >= 400 && !opts.raw) throw apiErrorOf(answer);
    return answer;
  }

  /** A file answer streamed to `file` (or stdout), never held in memory: images are gigabytes. */
  async download(path: string, query: URLSearchParams | undefined, file: string | undefined): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.urlOf(path, query), { headers: this.authHeaders() });
    } catch (err) {
      throw networkError(this.baseUrl, err);
    }
    if (res.status >= 400 || !res.body) {
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON: the text is the message */
      }
      throw apiErrorOf({ status: res.status, body });
    }
    const out = file ? createWriteStream(file) : process.stdout;
    await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), out);
  }

  get(path: string, query?: URLSearchParams) {
    return this.request("GET", path, { query });
  }
}

export function apiErrorOf(answer: Pick<ApiAnswer, "status" | "body">): ApiError {
  const body: ApiErrorBody =
    answer.body && typeof answer.body === "object"
      ? (answer.body as ApiErrorBody)
      : { message: typeof answer.body === "string" && answer.body ? answer.body : undefined };
  if (!body.message) body.message = `The portal answered ${answer.status}.`;
  if (answer.status === 401 && !body.error) body.error = "UNAUTHORIZED";
  return new ApiError(answer.status, body);
}
