// Server-only: the signed-in actor, loaded once per request however many server components ask
// (the portal layout and the page both need it, and each load is a database round trip).
import "server-only";
import { cache } from "react";
import { getCurrentActor } from "@/server/auth/auth-options";
import { isUnavailableError } from "@/server/domain/errors";

export const currentActor = cache(getCurrentActor);

export type ActorResult =
  | { kind: "ok"; actor: NonNullable<Awaited<ReturnType<typeof getCurrentActor>>> }
  | { kind: "anonymous" }
  | { kind: "unavailable" };

/**
 * Like currentActor, but an unreachable database becomes a value the layout can render as a calm
 * "unavailable" page; any other failure still goes to the error boundary.
 */
export const loadActorResult = cache(async (): Promise<ActorResult> => {
  try {
    const actor = await currentActor();
    return actor ? { kind: "ok", actor } : { kind: "anonymous" };
  } catch (err) {
    if (isUnavailableError(err)) return { kind: "unavailable" };
    throw err;
  }
});
