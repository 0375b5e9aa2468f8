// A procedure's input as the REST request a client would send for it: the `{name}` fields of the path go
// in the path, the rest in the query string (GET, DELETE) or the JSON body (other methods). The REST
// matrix uses it to replay the tRPC matrix's fixtures over /api/v1.
import type { RestOperation } from "@/server/http/rest/operations";

function appendQuery(search: URLSearchParams, key: string, value: unknown): void {
  if (value === undefined) return;
  if (Array.isArray(value)) search.append(key, value.map(String).join(","));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) appendQuery(search, `${key}[${k}]`, v);
  else search.append(key, String(value));
}

export function restRequestFor(
  op: RestOperation,
  input: unknown,
  headers: Record<string, string> = {},
): Request {
  const rest: Record<string, unknown> = { ...((input as Record<string, unknown> | undefined) ?? {}) };
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = rest[name];
    if (value === undefined) throw new Error(`${op.method} ${op.path}: the input has no ${name}`);
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  const url = new URL(`http://portal/api/v1${path}`);
  if (op.method === "GET" || op.method === "DELETE") {
    for (const [k, v] of Object.entries(rest)) appendQuery(url.searchParams, k, v);
    return new Request(url, { method: op.method, headers });
  }
  const hasBody = input !== undefined && Object.keys(rest).length > 0;
  return new Request(url, {
    method: op.method,
    headers: hasBody ? { ...headers, "content-type": "application/json" } : headers,
    body: hasBody ? JSON.stringify(rest) : undefined,
  });
}
