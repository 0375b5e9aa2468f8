// A file upload with real progress. fetch() cannot report how much of a request body has been sent,
// so this uses XMLHttpRequest and its upload.onprogress events.
export interface UploadProgress {
  loaded: number;
  total: number;
  /** Averaged over the last few seconds, so the figure does not jump with every event. */
  bytesPerSecond: number;
}

export interface UploadResult {
  status: number;
  /** The parsed JSON answer, or null when the body was empty or not JSON (a proxy's error page). */
  body: unknown;
}

interface UploadOptions {
  method?: "PUT" | "POST";
  onProgress?: (p: UploadProgress) => void;
  /** Called once every byte is sent; the server may still be working on it (checking an image). */
  onSent?: () => void;
  signal?: AbortSignal;
}

const SPEED_WINDOW_MS = 3_000;

export class UploadNetworkError extends Error {}
export class UploadAbortedError extends Error {}

export function uploadFile(url: string, file: Blob, opts: UploadOptions = {}): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const samples: { at: number; loaded: number }[] = [{ at: performance.now(), loaded: 0 }];

    xhr.upload.onprogress = (e) => {
      const now = performance.now();
      samples.push({ at: now, loaded: e.loaded });
      while (samples.length > 2 && now - samples[0]!.at > SPEED_WINDOW_MS) samples.shift();
      const first = samples[0]!;
      const seconds = (now - first.at) / 1000;
      opts.onProgress?.({
        loaded: e.loaded,
        total: e.lengthComputable ? e.total : file.size,
        bytesPerSecond: seconds > 0 ? (e.loaded - first.loaded) / seconds : 0,
      });
    };
    xhr.upload.onload = () => opts.onSent?.();
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new UploadNetworkError("The upload could not reach the server."));
    xhr.onabort = () => reject(new UploadAbortedError("The upload was cancelled."));

    if (opts.signal?.aborted) return reject(new UploadAbortedError("The upload was cancelled."));
    opts.signal?.addEventListener("abort", () => xhr.abort(), { once: true });

    xhr.open(opts.method ?? "PUT", url);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.send(file);
  });
}
