// tRPC over plain HTTP for a spec's setup and clean-up, with the signed-in page's cookies
// (superjson's wire format: { json: input }).
import { expect, type APIRequestContext } from "@playwright/test";

type Kind = "query" | "mutation";

async function send(request: APIRequestContext, path: string, input: unknown, kind: Kind) {
  return kind === "query"
    ? request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
    : request.post(`/api/trpc/${path}`, { data: { json: input } });
}

/** Calls a procedure that must succeed (the test fails with the server's answer otherwise). */
export async function callTrpc<T>(
  request: APIRequestContext,
  path: string,
  input: unknown,
  kind: Kind,
): Promise<T> {
  const res = await send(request, path, input, kind);
  expect(res.ok(), `${path}: ${await res.text()}`).toBe(true);
  return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
}

/** For clean-up: null instead of failing when the call is refused (the thing may be gone already). */
export async function tryTrpc<T>(
  request: APIRequestContext,
  path: string,
  input: unknown,
  kind: Kind,
): Promise<T | null> {
  const res = await send(request, path, input, kind);
  return res.ok() ? ((await res.json()) as { result: { data: { json: T } } }).result.data.json : null;
}
