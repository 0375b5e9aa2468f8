// The signed-in user as server components see it: the one door from app/ pages into the server, so
// pages resolve the caller exactly as routes and tRPC do.
import "server-only";
import { getCurrentActor } from "@/server/auth/auth-options";
import { isUnavailableError } from "@/server/domain/errors";

export type PageActor = NonNullable<Awaited<ReturnType<typeof getCurrentActor>>>;

export type PageActorResult =
  { kind: "ok"; actor: PageActor } | { kind: "anonymous" } | { kind: "unavailable" };

export const readPageActor = (): Promise<PageActor | null> => getCurrentActor();

/** An unreachable database becomes a value a layout can render calmly; any other failure is thrown. */
export async function settlePageActor(load: () => Promise<PageActor | null>): Promise<PageActorResult> {
  try {
    const actor = await load();
    return actor ? { kind: "ok", actor } : { kind: "anonymous" };
  } catch (err) {
    if (isUnavailableError(err)) return { kind: "unavailable" };
    throw err;
  }
}
