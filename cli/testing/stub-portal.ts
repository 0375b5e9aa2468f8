// A stand-in portal on loopback for the CLI's unit tests: serves the real OpenAPI document and answers
// what each test scripts, recording the requests it got.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type StubHandler = (req: StubRequest, res: ServerResponse) => boolean | void;

export async function startStubPortal(doc: unknown, handler: StubHandler) {
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => {
      const r = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body };
      requests.push(r);
      if (r.url === "/api/v1/openapi.json") return void json(res, 200, doc);
      if (handler(r, res) === false || !res.headersSent)
        json(res, 404, { error: "NOT_FOUND", message: `No route ${r.method} ${r.url}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
