// Command-line text → the values an operation's JSON Schema asks for: numbers, booleans, enums, lists
// (repeated options or commas), objects as JSON. A value that does not fit is a usage error here, before
// any request, naming the option; the portal's own validation still has the last word.
import { usageError } from "./exit-codes";
import type { JsonSchema } from "./openapi-spec";

/** The schema's own types and its alternatives' (anyOf/oneOf), e.g. ["integer", "null"]. */
export function typesOf(schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  const own = schema.type ? (Array.isArray(schema.type) ? schema.type : [schema.type]) : [];
  if (schema.enum && own.length === 0) own.push(typeof schema.enum[0] === "number" ? "number" : "string");
  if (schema.const !== undefined && own.length === 0) own.push(typeof schema.const);
  return [...new Set([...own, ...[...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap(typesOf)])];
}

function enumOf(schema: JsonSchema | undefined): unknown[] | null {
  if (!schema) return null;
  if (schema.enum) return schema.enum;
  const alts = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  const consts = alts.flatMap((a) => (a.const !== undefined ? [a.const] : (a.enum ?? [])));
  return alts.length > 0 &&
    consts.length > 0 &&
    alts.every((a) => a.const !== undefined || a.enum || a.type === "null")
    ? consts
    : null;
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

export const isList = (schema: JsonSchema | undefined) => typesOf(schema).includes("array");
export const isFlag = (schema: JsonSchema | undefined) => {
  const types = typesOf(schema).filter((t) => t !== "null");
  return types.length === 1 && types[0] === "boolean";
};

/** What `--help` says the option takes: "integer", "one of vnc|serial", "list of uuid", "JSON object". */
export function describeType(schema: JsonSchema | undefined): string {
  if (!schema) return "value";
  const choices = enumOf(schema);
  const nullable = typesOf(schema).includes("null") ? " or null" : "";
  if (choices) return `one of ${choices.join("|")}${nullable}`;
  const types = typesOf(schema).filter((t) => t !== "null");
  if (types.includes("array")) {
    const items = itemsOf(schema);
    const inner = typesOf(items).includes("object") ? "JSON object" : describeType(items);
    return `list of ${inner} (repeat the option or separate by commas)${nullable}`;
  }
  if (types.includes("object")) return `JSON object${nullable}`;
  if (types.length === 1 && types[0] === "string" && schema.format) return `${schema.format}${nullable}`;
  const alt = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].find((a) => a.format);
  if (types.length === 1 && types[0] === "string" && alt?.format) return `${alt.format}${nullable}`;
  return (types.join(" or ") || "value") + nullable;
}

/** `imageId` → `image-id`; `nicIndex` → `nic-index`. */
export const kebabCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/** One text as the schema's scalar type; throws a usage error naming the option when it does not fit. */
export function convertScalar(text: string, schema: JsonSchema | undefined, option: string): unknown {
  const types = typesOf(schema);
  if (types.includes("null") && text === "null") return null;
  const choices = enumOf(schema);
  if (choices) {
    const found = choices.find((c) => String(c) === text);
    if (found === undefined)
      throw usageError(`${option} must be one of ${choices.join(", ")} (got "${text}").`);
    return found;
  }
  if (types.includes("object") || (types.includes("array") && text.trim().startsWith("["))) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw usageError(`${option} takes JSON (got ${JSON.stringify(text)}).`);
    }
  }
  if (types.includes("string") || types.length === 0) return text;
  if (types.includes("integer") || types.includes("number")) {
    const n = Number(text);
    if (text.trim() === "" || Number.isNaN(n)) throw usageError(`${option} takes a number (got "${text}").`);
    if (!types.includes("number") && !Number.isInteger(n))
      throw usageError(`${option} takes a whole number (got "${text}").`);
    return n;
  }
  if (types.includes("boolean")) {
    if (text === "true" || text === "yes" || text === "1") return true;
    if (text === "false" || text === "no" || text === "0") return false;
    throw usageError(`${option} takes true or false (got "${text}").`);
  }
  return text;
}

/**
 * An option's value(s) as the schema wants them. Commander hands a repeatable option's texts as a list,
 * a flag as `true`. Lists take repeated options and commas (`--user-ids 1,2 --user-ids 3`), or one JSON
 * array; lists of objects take one JSON object per option or a JSON array.
 */
export function convertOption(
  raw: string | boolean | string[],
  schema: JsonSchema | undefined,
  option: string,
): unknown {
  if (typeof raw === "boolean") {
    if (isFlag(schema)) return raw;
    throw usageError(`${option} needs a value (${describeType(schema)}).`);
  }
  const texts = Array.isArray(raw) ? raw : [raw];
  if (isList(schema)) {
    const items = itemsOf(schema);
    if (texts.length === 1 && texts[0]!.trim().startsWith("[")) {
      const value = convertScalar(texts[0]!, { type: "array" }, option);
      return value;
    }
    if (texts.length === 1 && texts[0] === "") return [];
    const parts = typesOf(items).includes("object") ? texts : texts.flatMap((t) => t.split(","));
    return parts.filter((p) => p !== "").map((p) => convertScalar(p.trim(), items, option));
  }
  return convertScalar(texts.at(-1)!, schema, option);
}

/** A query string from converted values: lists as repeated keys, objects as `key[field]=…` (deepObject). */
export function toQuery(values: Record<string, unknown>): URLSearchParams {
  const q = new URLSearchParams();
  const add = (key: string, value: unknown) => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      // One comma list: the portal reads `a,b` and repeated keys the same way, and an empty list stays one.
      q.append(key, value.map(String).join(","));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    } else q.append(key, String(value));
  };
  for (const [k, v] of Object.entries(values)) add(k, v);
  return q;
}
