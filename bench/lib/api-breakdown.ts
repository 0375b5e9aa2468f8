// Where one REST page's time goes, measured one request at a time (no load) so the steps can be told
// apart: the floor query; the REST handler's pieces called in this process against the same database
// and Redis as the portal (resolving the caller, the procedure's context, the procedure — the list and
// its count —, the JSON of the answer, the whole handler); and the same page over HTTP from the portal
// process. "http − handler" is what Node's HTTP stack and Next's routing add; "handler − procedure" is
// the REST layer's own work. Each run takes every step once, in turn, on the same page.
import { performance } from "node:perf_hooks";
import type { Keyset } from "./instance-page-floor";
import { percentile } from "./stats";

export interface BreakdownInput {
  runs: number;
  headers: Record<string, string>;
  /** Each page: its REST path (with the cursor) and the floor's keyset for it. */
  pages: { path: string; key: Keyset | null }[];
  floor: (key: Keyset | null) => Promise<unknown>;
  http: (path: string) => Promise<{ status: number; body: Buffer }>;
  port: number;
}

/** Each step's median in ms (and the answer's size), as `name_p50_ms` → value. */
export async function measureBreakdown(input: BreakdownInput): Promise<Record<string, string>> {
  const { createRequestContext } = await import("@/server/api/context");
  const { createCaller } = await import("@/server/api/root");
  const { resolveSessionOrTokenCaller } = await import("@/server/http/caller");
  const { restHandler } = await import("@/server/http/rest/rest-handler");
  const { getServices } = await import("@/server/services");
  const services = getServices();
  const deps = {
    db: services.db,
    redis: services.redis,
    redisPrefix: services.settings.redisPrefix,
    secret: services.settings.sessionSecret,
    tokenLimits: services.settings.apiTokenLimits,
  };
  const requestFor = (path: string) =>
    new Request(`http://127.0.0.1:${input.port}${path}`, {
      headers: { ...input.headers, "x-educloud-client-ip": "127.0.0.1" },
    });

  const times: Record<string, number[]> = {
    floor: [],
    resolve_caller: [],
    context: [],
    procedure: [],
    json: [],
    handler: [],
    http: [],
  };
  const sizes: number[] = [];
  const timed = async <T>(step: string, fn: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    const v = await fn();
    times[step]!.push(performance.now() - t);
    return v;
  };
  for (let i = 0; i < input.runs; i++) {
    const page = input.pages[i % input.pages.length]!;
    const url = new URL(page.path, "http://x");
    const cursor = url.searchParams.get("cursor");
    const procedureInput = { limit: Number(url.searchParams.get("limit")), ...(cursor ? { cursor } : {}) };
    await timed("floor", () => input.floor(page.key));
    await timed("resolve_caller", () => resolveSessionOrTokenCaller(requestFor(page.path), deps));
    const ctx = await timed("context", () =>
      createRequestContext(requestFor(page.path), resolveSessionOrTokenCaller),
    );
    const result = await timed("procedure", () =>
      (createCaller(ctx).instances.list as (i: unknown) => Promise<unknown>)(procedureInput),
    );
    await timed("json", () => JSON.stringify(result));
    await timed("handler", async () => {
      const res = await restHandler(requestFor(page.path));
      if (res.status !== 200) throw new Error(`the handler answered ${res.status}`);
      sizes.push((await res.arrayBuffer()).byteLength);
    });
    await timed("http", async () => {
      const res = await input.http(page.path);
      if (res.status !== 200) throw new Error(`the portal answered ${res.status}`);
    });
  }
  const figures: Record<string, string> = {};
  for (const [step, values] of Object.entries(times))
    figures[`${step}_p50_ms`] = percentile(values, 50).toFixed(2);
  figures.answer_bytes = percentile(sizes, 50).toFixed(0);
  return figures;
}
