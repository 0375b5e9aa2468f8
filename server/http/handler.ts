// The one way into the portal over plain HTTP. Every route file under app/api hands its request to a
// handler built here, and every handler runs the same steps in the same order:
//   resolve the caller → authorize (the permission table, one entry per handler) → parse the input
//   with zod → the handler's one domain call → audit (when asked) → map errors (server/http/errors.ts).
// A route therefore cannot forget a step, and a new kind of caller is one more resolver (caller.ts).
import type { z } from "zod";
import { readClientIp } from "@/server/auth/client-ip";
import type { Action, Resource } from "@/common/permissions";
import { recordAudit } from "@/server/domain/audit/record-audit";
import { issueFieldMessages } from "@/common/issue-message";
import { msg } from "@/common/message";
import { DomainError } from "@/server/domain/errors";
import { authorize } from "@/server/domain/policies/authorize";
import type { Caller } from "@/server/domain/policies/caller";
import { getServices, type Services } from "@/server/services";
import { actorNameOf } from "@/server/domain/api-tokens/actor-name";
import { resolveCaller, type Credentials } from "./caller";
import { toHttpError } from "./errors";

export type RouteContext = { params: Promise<Record<string, string>> };

/**
 * What a route handler tells about itself: the permission entry that decides who may call it and the
 * credentials it reads. The RBAC matrix reads it off every route file's exports.
 */
export type RouteMeta =
  | { resource: Resource; action: string; credentials: Credentials }
  /** Not decided here: another matrix covers it (tRPC), or it is how one signs in (next-auth). */
  | { exempt: string };

export type RouteHandler = ((req: Request, ctx?: RouteContext) => Promise<Response>) & { meta?: RouteMeta };

/** Marks a handler not built with defineHandler (tus speaks its own protocol; see uploads.ts). */
export function describeRoute<F extends (...args: never[]) => Promise<Response>>(
  fn: F,
  meta: RouteMeta,
): F & { meta: RouteMeta } {
  return Object.assign(fn, { meta });
}

/** A handler may name the object it created or acted on, for the audit log. */
export const TARGET_HEADER = "x-educloud-target";

type Schema = z.ZodType;
type Where = "params" | "query" | "body";
type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface HandlerSpec<
  R extends Resource,
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined = undefined,
> {
  /** The permission entry that decides who may call. */
  resource: R;
  action: Action<R>;
  /** What proves who the caller is: a user's session cookie, a host's credential, or nothing. */
  credentials: Credentials;
  /** Path parameters and query string, parsed before the domain is called. */
  params?: P;
  query?: Q;
  /** A JSON body (for routes whose body is not a file). */
  body?: B;
  /** How unparseable input is refused (default: INVALID with the fields that are wrong). */
  invalid?: (error: z.ZodError, where: Where) => DomainError;
  /** Write the outcome to the audit log (as `${resource}.${action}` unless named here). */
  audit?:
    | boolean
    | {
        action?: string;
        targetType?: string;
        actorName?: (caller: Caller, ok: boolean, body: Parsed<B> | undefined) => string;
      };
  /** Answers sent with every response of this route (success or refusal). */
  headers?: Record<string, string>;
  handle(input: {
    req: Request;
    caller: Caller;
    params: Parsed<P>;
    query: Parsed<Q>;
    body: Parsed<B>;
    services: Services;
    ip: string | null;
  }): Promise<Response>;
}

const defaultInvalid = (error: z.ZodError) =>
  new DomainError("INVALID", msg("invalidInput"), issueFieldMessages(error.issues));

function parse(
  schema: Schema | undefined,
  value: unknown,
  where: Where,
  invalid: NonNullable<HandlerSpec<Resource, undefined, undefined>["invalid"]>,
): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error, where);
  return parsed.data;
}

/** A read-only API token reads: any method but GET and HEAD is refused, whatever the route. */
function assertMayWrite(caller: Caller, method: string): void {
  if (caller.kind !== "user" || !caller.actor.token?.readOnly) return;
  if (method === "GET" || method === "HEAD") return;
  throw new DomainError("FORBIDDEN", msg("apiTokens.readOnly"));
}

function auditActor(caller: Caller): { actorId: number | null; actorName: string } {
  if (caller.kind === "user") return { actorId: caller.actor.id, actorName: actorNameOf(caller.actor) };
  if (caller.kind === "host") return { actorId: null, actorName: `host:${caller.hostId}` };
  if (caller.kind === "terminal" || caller.kind === "kiosk")
    return { actorId: null, actorName: `${caller.kind}:${caller.terminalId}` };
  return { actorId: null, actorName: "anonymous" };
}

export function defineHandler<
  R extends Resource,
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(spec: HandlerSpec<R, P, Q, B>): RouteHandler {
  const invalid = spec.invalid ?? defaultInvalid;
  const meta: RouteMeta = { resource: spec.resource, action: spec.action, credentials: spec.credentials };
  return describeRoute(async (req: Request, ctx?: RouteContext): Promise<Response> => {
    const services = getServices();
    const ip = readClientIp(req.headers);
    let caller: Caller | null = null;
    let res: Response;
    let errorCode: string | null = null;
    let body: unknown;
    let authorized = false;
    try {
      caller = await resolveCaller(req, spec.credentials, {
        db: services.db,
        redis: services.redis,
        redisPrefix: services.settings.redisPrefix,
        secret: services.settings.sessionSecret,
        terminalKey: services.settings.terminalKey,
      });
      authorize(caller, spec.resource, spec.action);
      assertMayWrite(caller, req.method);
      authorized = true;
      const params = parse(spec.params, (await ctx?.params) ?? {}, "params", invalid);
      const query = parse(spec.query, Object.fromEntries(new URL(req.url).searchParams), "query", invalid);
      if (spec.body) body = parse(spec.body, await req.json().catch(() => null), "body", invalid);
      res = await spec.handle({
        req,
        caller,
        params: params as Parsed<P>,
        query: query as Parsed<Q>,
        body: body as Parsed<B>,
        services,
        ip,
      });
    } catch (err) {
      const { status, body, internal, headers } = toHttpError(err);
      errorCode = body.error;
      if (internal) services.log.error({ err, url: req.url }, "route handler failed");
      res = Response.json(body, { status, headers });
    }
    for (const [k, v] of Object.entries(spec.headers ?? {})) res.headers.set(k, v);
    // As with procedures, a caller refused by authorize() is not audited (nothing was attempted).
    if (spec.audit && caller && authorized) {
      const named = typeof spec.audit === "object" ? spec.audit : {};
      const who = auditActor(caller);
      if (named.actorName) who.actorName = named.actorName(caller, res.ok, body as Parsed<B> | undefined);
      await recordAudit(services.db, {
        ...who,
        action: named.action ?? `${spec.resource}.${spec.action}`,
        targetType: named.targetType ?? spec.resource,
        targetId: res.headers.get(TARGET_HEADER),
        result: res.ok ? "success" : "failure",
        // The error kind, as tRPC procedures record their code; a status when the handler answered itself.
        errorCode: res.ok ? null : (errorCode ?? String(res.status)),
        ip,
      }).catch((err) => services.log.error({ err }, "audit record failed"));
    }
    return res;
  }, meta);
}
