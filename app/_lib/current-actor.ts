// Server-only: the signed-in actor, loaded once per request however many server components ask
// (the portal layout and the page both need it, and each load is a database round trip).
import "server-only";
import { cache } from "react";
import { readPageActor, settlePageActor, type PageActorResult } from "@/server/http/page-session";

export const currentActor = cache(readPageActor);

export type ActorResult = PageActorResult;

/** Like currentActor, but an unreachable database becomes a calm "unavailable" page. */
export const loadActorResult = cache((): Promise<ActorResult> => settlePageActor(currentActor));
