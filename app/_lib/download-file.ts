// A download with progress that survives a dropped connection: the file is fetched in Range chunks
// (If-Range pins them to one version of the file), so a failed chunk is asked for again from its offset
// instead of from zero. The chunks become a Blob that the browser saves. For very big files the plain
// link (<a download>) is offered too: the browser's own download manager then shows progress.
const CHUNK = 8 * 1024 * 1024;
const RETRIES = 5;

export async function downloadInChunks(
  url: string,
  opts: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal },
): Promise<{ blob: Blob; fileName: string }> {
  const head = await fetch(url, { method: "HEAD", signal: opts.signal });
  if (!head.ok) throw new Error(`HTTP ${head.status}`);
  const total = Number(head.headers.get("content-length"));
  const etag = head.headers.get("etag") ?? "";
  const fileName = /filename="([^"]+)"/.exec(head.headers.get("content-disposition") ?? "")?.[1] ?? "image";
  const parts: Blob[] = [];
  let done = 0;
  let failures = 0;
  opts.onProgress?.(0, total);
  while (done < total) {
    try {
      const res = await fetch(url, {
        headers: { range: `bytes=${done}-${Math.min(total, done + CHUNK) - 1}`, "if-range": etag },
        signal: opts.signal,
      });
      if (res.status !== 206) throw new Error(`HTTP ${res.status}`);
      const reader = res.body!.getReader();
      const chunk: Uint8Array[] = [];
      let got = 0;
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) break;
        chunk.push(value);
        got += value.length;
        opts.onProgress?.(done + got, total);
      }
      parts.push(new Blob(chunk as BlobPart[]));
      done += got;
      failures = 0;
    } catch (err) {
      if (opts.signal?.aborted || ++failures > RETRIES) throw err;
      await new Promise((r) => setTimeout(r, 500 * 2 ** failures));
    }
  }
  return { blob: new Blob(parts, { type: "application/octet-stream" }), fileName };
}

export function saveBlob(blob: Blob, fileName: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
