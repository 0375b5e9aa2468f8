// A client of /api/v1 generated from the OpenAPI document (types: scripts/gen-api-types.ts; calls:
// openapi-fetch) that hands each request to the REST handler in-process. Every answer is held to the
// document: its status must be one the operation declares, and a JSON body must match the declared
// schema (ajv, JSON Schema 2020-12: OpenAPI 3.1's dialect). So a test that passes through this client
// proves the document tells the truth about that call.
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import createClient from "openapi-fetch";
import { matchOperation } from "@/server/http/rest/match-operation";
import { buildOpenApiDocument } from "@/server/http/rest/openapi-document";
import { restHandler } from "@/server/http/rest/rest-handler";
import type { paths } from "./generated/api-types";

type Obj = Record<string, unknown>;
interface DocResponse {
  content?: Record<string, { schema?: Obj }>;
}
interface DocOperation {
  responses: Record<string, DocResponse>;
}

const doc = buildOpenApiDocument() as {
  paths: Record<string, Record<string, DocOperation>>;
  components: Obj;
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

function validatorFor(key: string, schema: Obj): ValidateFunction {
  let v = validators.get(key);
  // The schema is compiled with the document's components beside it, so "#/components/…" resolves.
  if (!v) validators.set(key, (v = ajv.compile({ ...schema, components: doc.components })));
  return v;
}

/** Throws unless the document declares this status for the request's operation and the body fits it. */
export async function checkAgainstDocument(req: Request, res: Response): Promise<void> {
  const path = new URL(req.url).pathname.replace(/^\/api\/v1/, "");
  const match = matchOperation(req.method, path);
  // No operation: the handler's own 404/405, which carry the Error shape.
  const template = match.kind === "found" ? match.op.path : null;
  const operation = template ? doc.paths[template]?.[req.method.toLowerCase()] : null;
  const where = `${req.method} ${path} → ${res.status}`;
  let declared: DocResponse | undefined;
  if (operation) {
    declared = operation.responses[String(res.status)];
    if (!declared) throw new Error(`${where}: the document does not declare this status`);
  } else declared = { content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  const declaredTypes = Object.keys(declared.content ?? {});
  if (!text) {
    if (declaredTypes.length && res.status !== 202)
      throw new Error(`${where}: the document promises ${declaredTypes.join(", ")}, the body is empty`);
    return;
  }
  const mediaType = declaredTypes.find((t) => type.startsWith(t));
  if (!mediaType) throw new Error(`${where}: ${type} is not among the declared ${declaredTypes.join(", ")}`);
  const schema = declared.content![mediaType]!.schema;
  if (!schema || !mediaType.includes("json")) return;
  const validate = validatorFor(`${template ?? "none"} ${req.method} ${res.status}`, schema);
  if (!validate(JSON.parse(text)))
    throw new Error(`${where}: the body does not match the document: ${ajv.errorsText(validate.errors)}`);
}

export interface RestCredentials {
  cookie?: string;
  /** An API token's secret, sent as Authorization: Bearer. */
  token?: string;
}

/** Hands a request to the REST handler with the credentials, and checks the answer against the document. */
export function restFetch(credentials: RestCredentials = {}) {
  return async (input: Request): Promise<Response> => {
    const req = new Request(input);
    if (credentials.cookie) req.headers.set("cookie", credentials.cookie);
    if (credentials.token) req.headers.set("authorization", `Bearer ${credentials.token}`);
    const res = await restHandler(req);
    await checkAgainstDocument(req, res.clone());
    return res;
  };
}

/** The generated client, typed by the document, as this caller. */
export function restClient(credentials: RestCredentials = {}) {
  return createClient<paths>({ baseUrl: "http://portal/api/v1", fetch: restFetch(credentials) });
}
export type RestClient = ReturnType<typeof restClient>;
