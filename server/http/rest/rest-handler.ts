// The REST API's one handler (app/api/v1/[...path]): find the operation, resolve the caller (an API token
// or a session), turn the request into the procedure's input, call the procedure through the portal's own
// router — so the permission entry, the policies, the audit and the domain call are the UI's — and answer
// JSON: the result, 201 with a Location for a created resource, 202 with a Location to follow for long
// work, or the one error shape of server/http/errors.ts.
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { createRequestContext } from "@/server/api/context";
import { createCaller } from "@/server/api/root";
import { issueFieldMessages } from "@/common/issue-message";
import { msg } from "@/common/message";
import { DomainError } from "@/server/domain/errors";
import { getServices } from "@/server/services";
import { resolveSessionOrTokenCaller } from "../caller";
import { toHttpError } from "../errors";
import { describeRoute, type RouteContext } from "../handler";
import { matchOperation } from "./match-operation";
import type { RestOperation } from "./operations";
import { inputSchemaOf } from "./procedures";
import { mergeInput, readJsonBody, readQuery } from "./read-input";

export const API_BASE = "/api/v1";

/** The failure a procedure threw, as the domain's own error when it is one. */
function unwrap(err: unknown): unknown {
  if (err instanceof TRPCError) {
    if (err.cause instanceof ZodError)
      return new DomainError("INVALID", msg("invalidInput"), issueFieldMessages(err.cause.issues));
    if (err.cause) return unwrap(err.cause);
  }
  return err;
}

function followUrl(op: RestOperation, result: unknown): string | null {
  const r = result as { id?: unknown; taskId?: unknown } | null;
  if (op.follow === "instance" && (typeof r?.id === "string" || typeof r?.id === "number"))
    return `${API_BASE}/instances/${r.id}`;
  if (op.follow === "task" && typeof r?.taskId === "string") return `${API_BASE}/tasks/${r.taskId}`;
  return null;
}

function answer(op: RestOperation, result: unknown): Response {
  if (result === undefined || result === null) return new Response(null, { status: 204 });
  const headers: Record<string, string> = {};
  let status = 200;
  const follow = followUrl(op, result);
  const id = (result as { id?: unknown }).id;
  if (op.creates && (typeof id === "string" || typeof id === "number")) {
    status = 201;
    headers.location = `${API_BASE}${op.creates}/${id}`;
  }
  if (follow) {
    status = 202;
    headers.location = follow;
  }
  // Text results (CSV exports) go out as the file they are.
  if (typeof result === "string")
    return new Response(result, {
      status,
      headers: { ...headers, "content-type": "text/csv; charset=utf-8" },
    });
  return Response.json(result, { status, headers });
}

async function callProcedure(
  ctx: Awaited<ReturnType<typeof createRequestContext>>,
  op: RestOperation,
  input: unknown,
) {
  let target: unknown = createCaller(ctx);
  for (const part of op.procedure.split(".")) target = (target as Record<string, unknown>)[part];
  return (target as (input: unknown) => Promise<unknown>)(input);
}

/**
 * A session cookie rides along with any request the browser sends, also from a page of another origin on
 * the same site (a student's VM forwarded on the portal's address): SameSite does not stop it, and a write
 * without a body needs no JSON. Browsers name the page's origin on every such write, so a session's write
 * from anywhere but the portal is refused. Tokens are not sent by browsers on their own: not asked.
 */
function refuseForeignWrite(req: Request, method: string) {
  if (method === "GET" || req.headers.has("authorization")) return;
  const origin = req.headers.get("origin");
  if (origin !== null && origin !== getServices().settings.portalOrigin)
    throw new DomainError("FORBIDDEN", msg("rest.foreignOrigin", { origin: origin.slice(0, 100) }));
}

async function handle(req: Request, route?: RouteContext): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname.startsWith(API_BASE) ? url.pathname.slice(API_BASE.length) : url.pathname;
  const method = req.method === "HEAD" ? "GET" : req.method;
  void route;
  try {
    const match = matchOperation(method, path);
    if (match.kind === "none") throw new DomainError("NOT_FOUND", msg("rest.noRoute", { method, path }));
    if (match.kind === "wrongMethod") {
      const error = new DomainError(
        "INVALID",
        msg("rest.methodNotAllowed", { method, path, allowed: match.allowed.join(", ") }),
      );
      const { body } = toHttpError(error);
      return Response.json(body, { status: 405, headers: { allow: match.allowed.join(", ") } });
    }
    const { op, params } = match;
    refuseForeignWrite(req, method);
    const schema = inputSchemaOf(op.procedure);
    const rest =
      method === "GET" || method === "DELETE" ? readQuery(url.searchParams, schema) : await readJsonBody(req);
    const input = schema ? mergeInput(params, rest, schema) : undefined;
    const ctx = await createRequestContext(req, resolveSessionOrTokenCaller);
    const result = await callProcedure(ctx, op, input).catch((err) => {
      throw unwrap(err);
    });
    return answer(op, result);
  } catch (err) {
    const { status, body, internal, headers } = toHttpError(err);
    if (internal) getServices().log.error({ err, url: url.pathname }, "REST request failed");
    return Response.json(body, { status, headers });
  }
}

/** Each operation is authorised by its procedure's permission entry; the REST matrix checks every path. */
export const restHandler = describeRoute(handle, {
  exempt: "each REST operation calls a procedureFor() procedure; the REST matrix checks every path",
});
