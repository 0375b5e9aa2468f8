import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/**
 * Serves one App Router route handler over real HTTP on loopback, so an agent under test downloads
 * through the same code the portal runs. `pattern` names the params, e.g. /images/:id/content.
 */
export function serveRoute(
  pattern: string,
  handler: RouteHandler,
): Promise<{ url: string; close(): Promise<void> }> {
  return serveRoutes([{ pattern, handler }]);
}

/** Several route handlers behind one loopback server (one "portal" address for an agent). */
export async function serveRoutes(
  routes: { pattern: string; handler: RouteHandler }[],
  /** A fixed port (a portal that goes away and comes back at the same address); default any free one. */
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const table = routes.map((r) => ({
    re: new RegExp(`^${r.pattern.replace(/:(\w+)/g, "(?<$1>[^/]+)")}$`),
    handler: r.handler,
  }));
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let m: RegExpExecArray | null = null;
    const route = table.find((r) => (m = r.re.exec(url.pathname)));
    if (!route || !m) return void res.writeHead(404).end();
    const handler = route.handler;
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(url, {
      method: req.method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
    } as RequestInit);
    const response = await handler(request, {
      params: Promise.resolve({ ...(m as RegExpExecArray).groups }),
    });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) Readable.fromWeb(response.body as import("node:stream/web").ReadableStream).pipe(res);
    else res.end();
  };
  const server: Server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  const bound = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
