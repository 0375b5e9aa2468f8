import type { Actor } from "../context";

/**
 * Who is calling, as the transports resolve it before anything is decided. A user signs in with a
 * session or presents an API token (then a "user" too, with `actor.token` set and the role already
 * capped by the token); a host's agent presents its host credential. authorize() and the policies, not
 * each route, decide what each kind may do.
 */
export type Caller =
  | {
      kind: "user";
      actor: Actor;
      /** The session it came with (absent for callers made in tests). */ sessionId?: string;
    }
  | { kind: "host"; hostId: string }
  /** An approved thin client whose request carried a valid signature (server/http/terminal-caller.ts). */
  | { kind: "terminal"; terminalId: string }
  /** The kiosk page of an approved terminal; userId: the student signed in there (null: nobody yet). */
  | {
      kind: "kiosk";
      terminalId: string;
      sessionHash: string;
      userId: number | null;
      /** The student's session version when they signed in there: "sign out everywhere" ends it too. */
      userSv: number | null;
    }
  | { kind: "anonymous" };

export const ANONYMOUS: Caller = { kind: "anonymous" };

export const userCaller = (actor: Actor): Caller => ({ kind: "user", actor });
export const hostCaller = (hostId: string): Caller => ({ kind: "host", hostId });

/** The caller for a possibly signed-out actor (what session resolution yields). */
export const callerOf = (actor: Actor | null): Caller => (actor ? userCaller(actor) : ANONYMOUS);

/** The signed-in actor behind a caller, or null for hosts and anonymous callers. */
export const actorOf = (caller: Caller): Actor | null => (caller.kind === "user" ? caller.actor : null);
