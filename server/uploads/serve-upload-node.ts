// One upload's requests (HEAD, PATCH, DELETE) served straight from Node's request, without turning the
// body into a web stream and back: the upload's bytes go from the socket to the file. The custom server
// (server/main.ts) routes them here; the bench serves them the same way. Creation (POST) stays with the
// App Router route.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PortalTus } from "./build-portal-tus";
import { UPLOADS_PATH } from "./build-portal-tus";

const ONE_UPLOAD = new RegExp(`^${UPLOADS_PATH}/([0-9a-f-]{36})$`);

/** The upload id when the request is one of an upload's own (HEAD, PATCH, DELETE); otherwise null. */
export function matchUploadRequest(method: string | undefined, url: string | undefined): string | null {
  if (method !== "HEAD" && method !== "PATCH" && method !== "DELETE") return null;
  return ONE_UPLOAD.exec(new URL(url ?? "/", "http://portal").pathname)?.[1] ?? null;
}

function headersOf(req: IncomingMessage): Headers {
  const h = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) h.append(name, v);
  }
  return h;
}

export async function serveUploadRequest(
  tus: PortalTus,
  id: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // Headers only: the tus server reads the body from `req` itself.
  const request = new Request(new URL(req.url ?? "/", "http://portal"), {
    method: req.method,
    headers: headersOf(req),
  });
  const answer =
    req.method === "HEAD"
      ? await tus.head(request, id)
      : req.method === "DELETE"
        ? await tus.terminate(request, id)
        : await tus.patch(request, id, req);
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  res.end(req.method === "HEAD" ? undefined : Buffer.from(await answer.arrayBuffer()));
}
