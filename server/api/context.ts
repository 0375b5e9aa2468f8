import "server-only";
import { getSessionClaims } from "@/server/auth/auth-options";
import { readClientIp } from "@/server/auth/client-ip";
import { db } from "@/server/db";
import { loadActor } from "@/server/domain/account/load-actor";
import type { Actor } from "@/server/domain/context";
import { isUnavailableError, unavailable, type DomainError } from "@/server/domain/errors";
import { log } from "@/server/log";
import { getHostJobs, redis } from "@/server/queue";
import { settings } from "@/server/settings";
import type { TrpcContext } from "./trpc";

export async function createRequestContext(req: Request): Promise<TrpcContext> {
  const ip = readClientIp(req.headers);
  let actor: Actor | null = null;
  let unavailableReason: DomainError | undefined;
  const claims = await getSessionClaims();
  if (claims) {
    try {
      actor = await loadActor(db, claims.uid, claims.sv);
    } catch (err) {
      if (!isUnavailableError(err)) throw err;
      unavailableReason = unavailable("database");
    }
  }
  return {
    db,
    redis,
    actor,
    ip,
    settings,
    jobs: getHostJobs(),
    log: log.child({ uid: actor?.id }),
    unavailableReason,
  };
}
