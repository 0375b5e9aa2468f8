// The portal's OpenAPI document, from which the commands are made: fetched from the portal (it is
// public) and cached per portal URL, so `educloud instances list` does not download 400 KB each time. A
// cache older than CACHE_MAX_AGE_MS is fetched again; when the portal cannot be reached the cached copy
// still gives `--help`.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type ApiClient } from "./api-client";
import { cacheDir } from "./config";
import { CliError, EXIT } from "./exit-codes";

export const CACHE_MAX_AGE_MS = 10 * 60 * 1000;

/** A JSON Schema as zod writes it (the subset the CLI reads). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  description?: string;
  [k: string]: unknown;
}

const jsonSchema: z.ZodType<JsonSchema> = z.looseObject({}) as unknown as z.ZodType<JsonSchema>;

const parameterSchema = z.looseObject({
  name: z.string(),
  in: z.enum(["path", "query", "header", "cookie"]),
  required: z.boolean().optional(),
  schema: jsonSchema.optional(),
});

const operationSchema = z.looseObject({
  operationId: z.string(),
  summary: z.string().optional(),
  description: z.string().optional(),
  parameters: z.array(parameterSchema).optional(),
  requestBody: z
    .looseObject({ content: z.record(z.string(), z.looseObject({ schema: jsonSchema.optional() })) })
    .optional(),
  "x-educloud-procedure": z.string().optional(),
  "x-educloud-follow": z.enum(["instance", "task"]).optional(),
});
export type OpenApiOperation = z.infer<typeof operationSchema>;

export const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/** One REST operation as the CLI sees it. */
export interface SpecOperation {
  method: string;
  path: string;
  op: OpenApiOperation;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** Every operation of the document (HEAD and non-operations skipped), each checked as it is read. */
export function operationsOf(doc: z.infer<typeof openApiDocumentSchema>): SpecOperation[] {
  const out: SpecOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      if (!METHODS.includes(method)) continue;
      const parsed = operationSchema.safeParse(raw);
      if (parsed.success) out.push({ method: method.toUpperCase(), path, op: parsed.data });
    }
  }
  return out;
}

interface CacheFile {
  url: string;
  fetchedAt: number;
  doc: unknown;
}

const cacheFileOf = (url: string, env: NodeJS.ProcessEnv) =>
  join(cacheDir(env), `openapi-${createHash("sha256").update(url).digest("hex").slice(0, 16)}.json`);

async function readCache(url: string, env: NodeJS.ProcessEnv): Promise<CacheFile | null> {
  try {
    const file = JSON.parse(await readFile(cacheFileOf(url, env), "utf8")) as CacheFile;
    return file.url === url ? file : null;
  } catch {
    return null;
  }
}

async function writeCache(url: string, doc: unknown, env: NodeJS.ProcessEnv): Promise<void> {
  const path = cacheFileOf(url, env);
  await mkdir(cacheDir(env), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ url, fetchedAt: Date.now(), doc } satisfies CacheFile));
  await rename(tmp, path);
}

export async function fetchDocument(client: ApiClient) {
  const answer = await client.get("/openapi.json");
  const parsed = openApiDocumentSchema.safeParse(answer.body);
  if (!parsed.success)
    throw new CliError(
      `${client.baseUrl} did not answer an OpenAPI document: is it an eduCloud portal?`,
      EXIT.refused,
    );
  return parsed.data;
}

/**
 * The document for this portal: the cache when fresh (or when `fresh` is false and the portal is out of
 * reach), else fetched and cached.
 */
export async function loadDocument(
  client: ApiClient,
  opts: { refresh?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<{ doc: z.infer<typeof openApiDocumentSchema>; fromCache: boolean }> {
  const env = opts.env ?? process.env;
  const cached = await readCache(client.baseUrl, env);
  const cachedDoc = cached ? openApiDocumentSchema.safeParse(cached.doc) : null;
  if (!opts.refresh && cached && cachedDoc?.success && Date.now() - cached.fetchedAt < CACHE_MAX_AGE_MS)
    return { doc: cachedDoc.data, fromCache: true };
  try {
    const doc = await fetchDocument(client);
    await writeCache(client.baseUrl, doc, env).catch(() => undefined);
    return { doc, fromCache: false };
  } catch (err) {
    if (err instanceof CliError && err.exitCode === EXIT.network && cachedDoc?.success)
      return { doc: cachedDoc.data, fromCache: true };
    throw err;
  }
}
