import "server-only";
import { readClientIp } from "@/server/auth/client-ip";
import { actorOf, type Caller } from "@/server/domain/policies/caller";
import type { DomainError } from "@/server/domain/errors";
import { resolveSessionCaller, type SessionDeps } from "@/server/http/caller";
import { toDomainFailure } from "@/server/http/errors";
import { membershipHooks } from "@/server/events/membership-hooks";
import { getServices } from "@/server/services";
import type { TrpcContext } from "./trpc";

type ResolveCaller = (req: Request, deps: SessionDeps) => Promise<Caller>;

/**
 * A procedure's context: the caller resolved as every HTTP route resolves it, and the root's services.
 * The UI's endpoint reads the session cookie; the REST API passes a resolver that also takes API tokens.
 */
export async function createRequestContext(
  req: Request,
  resolve: ResolveCaller = resolveSessionCaller,
): Promise<TrpcContext> {
  const services = getServices();
  let caller: Caller = { kind: "anonymous" };
  const { settings } = services;
  let unavailableReason: DomainError | undefined;
  try {
    caller = await resolve(req, {
      db: services.db,
      redis: services.redis,
      redisPrefix: settings.redisPrefix,
      secret: settings.sessionSecret,
      tokenLimits: settings.apiTokenLimits,
    });
  } catch (err) {
    // Procedures answer SERVICE_UNAVAILABLE (not "sign in") while the account cannot be read.
    const failure = toDomainFailure(err);
    if (failure?.kind !== "UNAVAILABLE") throw err;
    unavailableReason = failure;
  }
  const actor = actorOf(caller);
  return {
    db: services.db,
    redis: services.redis,
    actor,
    ip: readClientIp(req.headers),
    sessionId: caller.kind === "user" ? (caller.sessionId ?? null) : null,
    settings: services.settings,
    jobs: services.jobs,
    hostChannel: services.hostChannel,
    hooks: membershipHooks,
    log: services.log.child({ uid: actor?.id }),
    unavailableReason,
  };
}
