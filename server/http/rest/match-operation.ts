// Finds the operation for a method and a path under /api/v1. Literal segments win over `{param}` ones, so
// /instances/launch-options is not read as the instance "launch-options".
import { REST_OPERATIONS, type HttpMethod, type RestOperation } from "./operations";

interface Compiled {
  op: RestOperation;
  segments: string[];
}

const COMPILED: Compiled[] = REST_OPERATIONS.map((op) => ({ op, segments: op.path.split("/").slice(1) }));

const isParam = (segment: string) => segment.startsWith("{") && segment.endsWith("}");

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [i, segment] of pattern.entries()) {
    const part = parts[i] ?? "";
    if (isParam(segment)) {
      if (!part) return null;
      params[segment.slice(1, -1)] = part;
    } else if (segment !== part) return null;
  }
  return params;
}

/** How many literal segments a pattern has: more is more specific. */
const literalCount = (segments: string[]) => segments.filter((s) => !isParam(s)).length;

export type Match =
  | { kind: "found"; op: RestOperation; params: Record<string, string> }
  | { kind: "wrongMethod"; allowed: HttpMethod[] }
  | { kind: "none" };

export function matchOperation(method: string, path: string): Match {
  let parts: string[];
  try {
    parts = path.split("/").slice(1).map(decodeURIComponent);
  } catch {
    return { kind: "none" };
  }
  if (parts.at(-1) === "") parts.pop();
  const candidates = COMPILED.map((c) => ({ c, params: matchSegments(c.segments, parts) }))
    .filter((m) => m.params)
    .sort((a, b) => literalCount(b.c.segments) - literalCount(a.c.segments));
  if (candidates.length === 0) return { kind: "none" };
  // The most specific path decides which methods exist there.
  const best = literalCount(candidates[0]!.c.segments);
  const atBest = candidates.filter((m) => literalCount(m.c.segments) === best);
  const hit = atBest.find((m) => m.c.op.method === method);
  if (hit) return { kind: "found", op: hit.c.op, params: hit.params! };
  return { kind: "wrongMethod", allowed: [...new Set(atBest.map((m) => m.c.op.method))] };
}
