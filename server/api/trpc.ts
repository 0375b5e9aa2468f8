import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Logger } from "pino";
import { permissionFor, type Action, type Permission, type Resource } from "@/common/permissions";
import { actorNameOf } from "@/server/domain/api-tokens/actor-name";
import { recordAudit } from "@/server/domain/audit/record-audit";
import type { DomainContext } from "@/server/domain/context";
import { DomainError } from "@/server/domain/errors";
import { renderEnglish } from "@/server/domain/render-english";
import { issueFieldMessages } from "@/common/issue-message";
import { msg, type FieldMessages, type ServerMessage } from "@/common/message";
import { authorize } from "@/server/domain/policies/authorize";
import { callerOf } from "@/server/domain/policies/caller";
import { toTrpcError } from "./errors";

export interface TrpcContext extends DomainContext {
  log: Logger;
  /** The session the caller came with (a password change keeps it, "sign out everywhere" ends it too). */
  sessionId?: string | null;
  /** Set when the caller could not be identified because MariaDB is unreachable. */
  unavailableReason?: DomainError;
}

export interface ProcedureMeta {
  resource: string;
  action: string;
  permission: Permission;
}

const t = initTRPC
  .context<TrpcContext>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    // `message` and `data.fieldErrors` stay English for clients without a catalogue; the portal renders
    // `data.serverMessage` and `data.fieldMessages` (codes + parameters) in the reader's language.
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      let fieldMessages: FieldMessages | null = null;
      let serverMessage: ServerMessage | null = null;
      if (cause instanceof ZodError) {
        fieldMessages = issueFieldMessages(cause.issues);
        serverMessage = msg("invalidInput");
      } else if (cause instanceof DomainError) {
        fieldMessages = cause.fieldMessages ?? null;
        serverMessage = { code: cause.code, params: cause.params, details: cause.details };
      } else if (error.code === "INTERNAL_SERVER_ERROR") {
        serverMessage = msg("internal");
      }
      const fieldErrors = fieldMessages
        ? Object.fromEntries(Object.entries(fieldMessages).map(([k, m]) => [k, renderEnglish(m)]))
        : null;
      const message = serverMessage ? renderEnglish(serverMessage) : shape.message;
      return {
        ...shape,
        message,
        data: { ...shape.data, fieldErrors, fieldMessages, serverMessage, stack: undefined },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

function targetOf(input: unknown, output: unknown): string | null {
  for (const v of [input, output]) {
    const id = (v as { id?: unknown } | null)?.id;
    if (typeof id === "number" || typeof id === "string") return String(id);
  }
  return null;
}

/**
 * Every procedure starts here: authorize() decides from the permission entry who may call it, and every mutation is
 * written to the audit log with its result. A procedure without an entry cannot be built.
 */
export function procedureFor<R extends Resource>(resource: R, action: Action<R>) {
  const permission = permissionFor(resource, action);
  return t.procedure
    .meta({ resource, action, permission })
    .use(async ({ ctx, next, type, path, getRawInput }) => {
      if (ctx.unavailableReason) throw toTrpcError(ctx.unavailableReason);
      // The role half of the decision; domain functions ask the resource's policy about the object.
      try {
        authorize(callerOf(ctx.actor), resource, action);
        // A read-only API token reads: every mutation is refused here, for every procedure at once.
        if (type === "mutation" && ctx.actor?.token?.readOnly)
          throw new DomainError("FORBIDDEN", msg("apiTokens.readOnly"));
      } catch (err) {
        throw toTrpcError(err);
      }
      const result = await next();
      const error = result.ok ? null : toTrpcError(result.error);
      if (type === "mutation") {
        const input = await getRawInput().catch(() => undefined);
        await recordAudit(ctx.db, {
          actorId: ctx.actor?.id ?? null,
          actorName: ctx.actor ? actorNameOf(ctx.actor) : "anonymous",
          action: path,
          targetType: resource,
          targetId: targetOf(input, result.ok ? result.data : null),
          result: result.ok ? "success" : "failure",
          errorCode: error?.code ?? null,
          detail: input && typeof input === "object" ? (input as Record<string, unknown>) : null,
          ip: ctx.ip,
        }).catch((err) => ctx.log.error({ err, path }, "audit record failed"));
      }
      if (error) {
        if (error.code === "INTERNAL_SERVER_ERROR")
          ctx.log.error({ err: error.cause, path }, "procedure failed");
        throw error;
      }
      return result;
    });
}
