// The OpenAPI 3.1 document of /api/v1, written from the same table and zod schemas that serve requests:
// a field the API accepts is a field the document names, so the two cannot drift. Routes that speak
// their own protocol (image upload, tus, download) are described by hand in native-operations.ts.
import type { HttpMethod, RestOperation } from "./operations";
import { REST_OPERATIONS } from "./operations";
import { NATIVE_PATHS } from "./native-operations";
import { inputSchemaOf, outputSchemaOf, procedureDef, type JsonSchema } from "./procedures";

type Obj = Record<string, unknown>;

const ERROR_STATUSES: Record<string, string> = {
  "400": "The input is not valid: `fieldErrors` names each wrong field.",
  "401": "No valid credentials: an API token (Authorization: Bearer) or a session.",
  "403": "The caller's role or scope does not reach this, or the token is read-only.",
  "404": "No such object, or not one the caller may see.",
  "409": "The object's state does not allow it now (or a limit is reached).",
  "429": "Too many requests: wait for Retry-After seconds.",
  "503": "A service the portal needs (MariaDB, Redis) is unreachable.",
};

const ERROR_SCHEMA: JsonSchema = {
  type: "object",
  required: ["error", "message"],
  properties: {
    error: {
      type: "string",
      enum: [
        "INVALID",
        "UNAUTHORIZED",
        "FORBIDDEN",
        "NOT_FOUND",
        "CONFLICT",
        "RATE_LIMITED",
        "UNAVAILABLE",
        "INTERNAL",
      ],
      description: "A stable code to branch on.",
    },
    message: { type: "string", description: "What went wrong, in English, for people." },
    fieldErrors: {
      anyOf: [{ type: "object", additionalProperties: { type: "string" } }, { type: "null" }],
      description: "Each wrong field of the input and why.",
    },
    serverMessage: { description: "The message as a code with parameters, for clients that translate it." },
    fieldMessages: { description: "fieldErrors as codes with parameters." },
  },
};

const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

function without(schema: JsonSchema, fields: string[]): JsonSchema | null {
  if (!schema.properties) return schema;
  const properties = Object.fromEntries(
    Object.entries(schema.properties).filter(([k]) => !fields.includes(k)),
  );
  if (Object.keys(properties).length === 0) return null;
  const required = (schema.required ?? []).filter((k) => !fields.includes(k));
  return { ...schema, properties, ...(required.length ? { required } : { required: undefined }) };
}

function whoMayCall(op: RestOperation): string {
  const meta = procedureDef(op.procedure).meta;
  if (!meta) return "";
  const { least, scope } = meta.permission;
  const reach = {
    none: "",
    group: " (objects of their groups)",
    own: " (their own objects, or their classes')",
  }[scope];
  const who = least === "anonymous" ? "anyone" : least === "superAdm" ? "superAdm" : `${least} and above`;
  return `Who may call: ${who}${reach}.`;
}

function parametersOf(op: RestOperation, input: JsonSchema | null): Obj[] {
  const inPath = pathParams(op.path);
  const params: Obj[] = inPath.map((name) => ({
    name,
    in: "path",
    required: true,
    schema: input?.properties?.[name] ?? { type: "string" },
  }));
  if ((op.method === "GET" || op.method === "DELETE") && input?.properties) {
    const required = new Set(input.required ?? []);
    for (const [name, schema] of Object.entries(input.properties)) {
      if (inPath.includes(name)) continue;
      const nested = schema.type === "object";
      params.push({
        name,
        in: "query",
        required: required.has(name),
        schema,
        ...(nested ? { style: "deepObject", explode: true } : {}),
        ...(schema.type === "array" ? { style: "form", explode: false } : {}),
      });
    }
  }
  return params;
}

function successOf(op: RestOperation): [string, Obj] {
  const output = outputSchemaOf(op.procedure);
  const content = (schema: JsonSchema | null) => ({ "application/json": { schema: schema ?? {} } });
  if (op.follow)
    return [
      "202",
      {
        description:
          op.follow === "instance"
            ? "Accepted: the work goes on. Follow Location (the instance) until its `task` is null; `state`, `progress` and `errorReason` say how it went."
            : "Accepted: the work goes on. Follow Location (the task) until `state` is succeeded or failed.",
        headers: { Location: { schema: { type: "string" }, description: "What to poll." } },
        content: content(output),
      },
    ];
  if (op.creates)
    return [
      "201",
      {
        description: "Created.",
        headers: { Location: { schema: { type: "string" }, description: "The new resource." } },
        content: content(output),
      },
    ];
  if (/\.(csv)$/.test(op.path))
    return ["200", { description: "A CSV file.", content: { "text/csv": { schema: { type: "string" } } } }];
  return ["200", { description: "OK.", content: content(output) }];
}

function operationOf(op: RestOperation): Obj {
  const def = procedureDef(op.procedure);
  const input = inputSchemaOf(op.procedure);
  const [status, success] = successOf(op);
  const body =
    op.method !== "GET" && op.method !== "DELETE" && input ? without(input, pathParams(op.path)) : null;
  const errors = Object.fromEntries(
    Object.entries(ERROR_STATUSES).map(([code, description]) => [
      code,
      { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
    ]),
  );
  return {
    operationId: op.procedure.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase()),
    summary: op.summary,
    description: whoMayCall(op),
    tags: [op.tag],
    parameters: parametersOf(op, input),
    ...(body ? { requestBody: { required: true, content: { "application/json": { schema: body } } } } : {}),
    responses: { [status]: success, ...errors },
    "x-educloud-procedure": op.procedure,
    ...(op.follow ? { "x-educloud-follow": op.follow } : {}),
    "x-educloud-permission": def.meta
      ? { resource: def.meta.resource, action: def.meta.action, ...def.meta.permission }
      : undefined,
    ...(def.type === "mutation" ? {} : { "x-educloud-read-only-token": true }),
  };
}

export const API_VERSION = "1.0.0";

/** The whole document. */
export function buildOpenApiDocument(version = API_VERSION): Obj {
  const paths: Record<string, Record<string, Obj>> = {};
  for (const op of REST_OPERATIONS) {
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase() as Lowercase<HttpMethod>] = operationOf(op);
  }
  for (const [path, methods] of Object.entries(NATIVE_PATHS)) paths[path] = { ...paths[path], ...methods };
  return {
    openapi: "3.1.0",
    info: {
      title: "eduCloud API",
      version,
      description:
        "Everything the portal's UI can do, for scripts and other systems. Authenticate with an API token " +
        "(Settings → API tokens) as `Authorization: Bearer ect_…`; a token never reaches further than its " +
        "owner's account does now. Lists are paged: pass `limit` and the `nextCursor` of the previous page " +
        "as `cursor`. Long work answers 202 with a Location to follow. Every failure is one JSON shape " +
        "(Error) with a stable `error` code.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ apiToken: [] }, { session: [] }],
    tags: [...new Set(REST_OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        apiToken: { type: "http", scheme: "bearer", bearerFormat: "ect_<id>_<secret>" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
      },
    },
  };
}
