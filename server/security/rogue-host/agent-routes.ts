// Every agent HTTP route as it is on disk (app/api/v1/agent/**/route.ts, every method it exports), with a
// request any of them accepts far enough to authenticate: a new route is covered without editing a test.
import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { RouteMeta } from "@/server/http/handler";
import { hostFacts } from "@/server/testing/fixtures";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
type Handler = ((req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>) & {
  meta?: RouteMeta;
};

export interface AgentRoute {
  key: string;
  method: (typeof METHODS)[number];
  /** The URL with its [param] segments. */
  path: string;
  handler: Handler;
}

export async function findAgentRoutes(): Promise<AgentRoute[]> {
  const root = join(process.cwd(), "app", "api", "v1", "agent");
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) =>
    /(^|\/)route\.ts$/.test(f),
  );
  const found: AgentRoute[] = [];
  for (const file of files) {
    const path = "/" + relative(join(process.cwd(), "app"), join(root, file)).replace(/\/route\.ts$/, "");
    const mod = (await import(join(root, file))) as Record<string, unknown>;
    for (const method of METHODS)
      if (typeof mod[method] === "function")
        found.push({ key: `${method} ${path}`, method, path, handler: mod[method] as Handler });
  }
  return found.sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Calls the route as `authorization` would: params are fresh uuids, bodies a few bytes (a well-formed
 * join request with a token nobody issued for POST).
 */
export async function callAgentRoute(route: AgentRoute, authorization: string): Promise<Response> {
  const params: Record<string, string> = {};
  const url = route.path.replace(/\[(\w+)\]/g, (_, name: string) => (params[name] = randomUUID()));
  const body =
    route.method === "POST"
      ? JSON.stringify({
          token: randomBytes(24).toString("base64url"),
          name: "rogue",
          facts: hostFacts(),
          consoleUrl: "ws://127.0.0.1:7901",
        })
      : route.method === "PUT" || route.method === "PATCH"
        ? randomBytes(1024)
        : undefined;
  const req = new Request(`http://portal${url}`, {
    method: route.method,
    headers: { authorization, ...(route.method === "POST" ? { "content-type": "application/json" } : {}) },
    body,
    ...(body ? { duplex: "half" } : {}),
  } as RequestInit);
  const res = await route.handler(req, { params: Promise.resolve(params) });
  await res.body?.cancel();
  return res;
}
