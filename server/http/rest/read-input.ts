// Turns a REST request into the procedure's input: path parameters, then the query string (reads) or the
// JSON body (writes). Query strings carry text only, so each value is converted to what the input's
// schema expects (numbers, booleans, lists, nested objects as `filter[actor]=…` or `filter.actor=…`); the
// procedure's own zod schema then validates the whole input exactly as it does for the UI.
import { msg } from "@/common/message";
import { DomainError } from "@/server/domain/errors";
import type { JsonSchema } from "./procedures";

function typesOf(schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  const own = schema.type ? (Array.isArray(schema.type) ? schema.type : [schema.type]) : [];
  const alternatives = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap(typesOf);
  return [...own, ...alternatives];
}

function propertyOf(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (!schema) return undefined;
  if (schema.properties?.[key]) return schema.properties[key];
  for (const alt of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    const found = propertyOf(alt, key);
    if (found) return found;
  }
  return undefined;
}

function itemsOf(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  if (schema.items) return schema.items;
  for (const alt of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    const found = itemsOf(alt);
    if (found) return found;
  }
  return undefined;
}

/** One text value as the schema wants it; left as text when it does not convert (zod then names the field). */
export function convertText(value: string, schema: JsonSchema | undefined): unknown {
  const types = typesOf(schema);
  if (types.includes("string") || types.length === 0) return value;
  if ((types.includes("integer") || types.includes("number")) && value.trim() !== "" && !isNaN(Number(value)))
    return Number(value);
  if (types.includes("boolean") && (value === "true" || value === "false")) return value === "true";
  if (types.includes("null") && value === "null") return null;
  return value;
}

/** `filter[actor]` and `filter.actor` both name the field actor of filter. */
function keyPath(key: string): string[] {
  return key
    .replace(/\]/g, "")
    .split(/[[.]/)
    .filter((k) => k !== "");
}

/** The query string as the input's fields; repeated keys and comma lists become arrays where a list is expected. */
export function readQuery(search: URLSearchParams, schema: JsonSchema | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(search.keys())) {
    const path = keyPath(key);
    if (path.length === 0 || path.some((p) => p === "__proto__" || p === "constructor" || p === "prototype"))
      continue;
    let target = out;
    let fieldSchema: JsonSchema | undefined = schema ?? undefined;
    for (const part of path.slice(0, -1)) {
      fieldSchema = propertyOf(fieldSchema, part);
      const next = target[part];
      target = (next && typeof next === "object" ? next : (target[part] = {})) as Record<string, unknown>;
    }
    const last = path.at(-1)!;
    fieldSchema = propertyOf(fieldSchema, last);
    const values = search.getAll(key);
    if (typesOf(fieldSchema).includes("array")) {
      const items = itemsOf(fieldSchema);
      target[last] = values.flatMap((v) => (v === "" ? [] : v.split(","))).map((v) => convertText(v, items));
    } else target[last] = convertText(values.at(-1)!, fieldSchema);
  }
  return out;
}

/** A write's JSON body: an object, or nothing at all. */
export async function readJsonBody(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.trim() === "") return {};
  const type = req.headers.get("content-type") ?? "";
  // A browser's cross-site form cannot send this type without a preflight, so a session cookie is safe here.
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type))
    throw new DomainError("INVALID", msg("rest.jsonBody"));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DomainError("INVALID", msg("rest.jsonBody"));
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new DomainError("INVALID", msg("rest.jsonBody"));
  return body as Record<string, unknown>;
}

/** Path parameters win; a body or query naming the same field differently is refused, not silently overridden. */
export function mergeInput(
  params: Record<string, string>,
  rest: Record<string, unknown>,
  schema: JsonSchema | null,
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...rest };
  for (const [field, text] of Object.entries(params)) {
    const value = convertText(text, propertyOf(schema ?? undefined, field));
    if (field in rest && rest[field] !== value)
      throw new DomainError("INVALID", msg("rest.pathMismatch", { field }));
    input[field] = value;
  }
  return input;
}
