import "server-only";
import { getCurrentActor } from "@/server/auth/auth-options";
import { readClientIp } from "@/server/auth/client-ip";
import { permissionFor, roleMeets, type Action, type Resource } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { recordAudit } from "@/server/domain/audit/record-audit";
import type { Actor } from "@/server/domain/context";
import { DomainError, isUnavailableError, type DomainErrorKind, errorBody } from "@/server/domain/errors";
import { log } from "@/server/log";
import { msg } from "@/common/message";

const STATUS: Record<DomainErrorKind, number> = {
  INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

export function errorResponse(err: unknown): Response {
  if (err instanceof DomainError) {
    return Response.json(errorBody(err), { status: STATUS[err.kind] });
  }
  if (isUnavailableError(err)) {
    return Response.json(
      {
        error: "UNAVAILABLE",
        message:
          "The database is unavailable. eduCloud will recover by itself when it returns; try again shortly.",
      },
      { status: 503 },
    );
  }
  log.error({ err }, "REST handler failed");
  return Response.json(
    { error: "INTERNAL", message: "Something went wrong on the server." },
    { status: 500 },
  );
}

/**
 * REST twin of procedureFor(): the same permission entry decides who may call, failures get the same
 * error kinds, and mutations are audited.
 */
export function restHandler<R extends Resource>(
  resource: R,
  action: Action<R>,
  handler: (req: Request, actor: Actor, ctx: { params: Record<string, string> }) => Promise<Response>,
  opts: { audit?: boolean } = {},
) {
  const permission = permissionFor(resource, action);
  return async (req: Request, ctx: { params: Promise<Record<string, string>> }): Promise<Response> => {
    const ip = readClientIp(req.headers);
    let actor: Actor | null;
    try {
      actor = await getCurrentActor();
    } catch (err) {
      return errorResponse(err);
    }
    if (!roleMeets(actor?.role ?? "anonymous", permission.least)) {
      return errorResponse(
        new DomainError(
          actor ? "FORBIDDEN" : "UNAUTHORIZED",
          msg(actor ? "auth.roleForbids" : "auth.signInFirst"),
        ),
      );
    }
    let res: Response;
    try {
      res = await handler(req, actor!, { params: await ctx.params });
    } catch (err) {
      res = errorResponse(err);
    }
    if (opts.audit) {
      await recordAudit(db, {
        actorId: actor!.id,
        actorName: actor!.username,
        action: `${resource}.${action}`,
        targetType: resource,
        targetId: res.headers.get("x-educloud-target"),
        result: res.ok ? "success" : "failure",
        errorCode: res.ok ? null : String(res.status),
        ip,
      }).catch((err) => log.error({ err }, "audit record failed"));
    }
    return res;
  };
}
