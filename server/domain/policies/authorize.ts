import type { SQL } from "drizzle-orm";
import { permissionFor, roleMeets, type Action, type Resource } from "@/common/permissions";
import type { Database } from "@/server/db/client";
import type { Actor } from "../context";
import { msg, type Message } from "@/common/message";
import { DomainError } from "../errors";
import type { Caller } from "./caller";
import type { AccessPolicy } from "./policy";
import { POLICIES, type PolicedResource, type PolicyObject } from "./index";

type ObjectFor<R extends Resource> = R extends PolicedResource ? PolicyObject<R> : never;

const isCaller = (who: Caller | Actor): who is Caller => "kind" in who;

/**
 * The one decision: may this caller do this action on this resource (and, given the object, on this
 * object)? The permission table gives the least role (or "host"); when it scopes the entry and an
 * object is named, the resource's policy decides. tRPC procedures, the HTTP wrapper, tus uploads and
 * the console WebSocket all ask here; domain functions ask with the actor and the object they loaded.
 * Refuses by throwing: UNAUTHORIZED for an unknown caller, FORBIDDEN otherwise.
 */
export function authorize<R extends Resource>(
  who: Caller | Actor,
  resource: R,
  action: Action<R>,
  object?: ObjectFor<R>,
): void {
  const caller: Caller = isCaller(who) ? who : { kind: "user", actor: who };
  const permission = permissionFor(resource, action);
  if (permission.least === "anonymous") return;
  if (caller.kind === "anonymous") {
    throw new DomainError(
      "UNAUTHORIZED",
      msg(
        permission.least === "host"
          ? "hosts.unknownHostSecret"
          : permission.least === "terminal"
            ? "terminals.unsigned"
            : permission.least === "kiosk"
              ? "kiosk.noSession"
              : "auth.signInFirst",
      ),
    );
  }
  // A terminal or a kiosk reaches its own entries and nothing a user's role would (and vice versa).
  if (caller.kind === "terminal" || caller.kind === "kiosk") {
    if (permission.least === caller.kind) return;
    throw new DomainError("FORBIDDEN", msg("auth.terminalForbidden"));
  }
  if (permission.least === "terminal" || permission.least === "kiosk")
    throw new DomainError("FORBIDDEN", msg("auth.roleForbids"));
  if (caller.kind === "host") {
    if (permission.least === "host") return;
    throw new DomainError("FORBIDDEN", msg("auth.hostForbidden"));
  }
  if (!roleMeets(caller.actor.role, permission.least))
    throw new DomainError("FORBIDDEN", msg("auth.roleForbids"));
  if (object !== undefined && permission.scope !== "none")
    assertMayActOn(caller.actor, resource as PolicedResource, object as never);
}

/** The role check alone, for a caller: true when authorize() would pass without an object. */
export function isAllowed<R extends Resource>(
  caller: Caller | Actor,
  resource: R,
  action: Action<R>,
): boolean {
  try {
    authorize(caller, resource, action);
    return true;
  } catch {
    return false;
  }
}

/**
 * The object half of authorize(), for domain functions that load an object after the transport checked
 * the role (e.g. an instance's snapshot): the resource's policy decides, whatever the action.
 */
export function assertMayActOn<R extends PolicedResource>(
  actor: Actor,
  resource: R,
  object: PolicyObject<R>,
  refusal?: Message,
): void {
  const policy = POLICIES[resource] as { mayActOn(a: Actor, o: unknown): boolean; refusal: Message };
  if (!policy.mayActOn(actor, object)) throw new DomainError("FORBIDDEN", refusal ?? policy.refusal);
}

export function mayActOn<R extends PolicedResource>(
  actor: Actor,
  resource: R,
  object: PolicyObject<R>,
): boolean {
  return (POLICIES[resource] as { mayActOn(a: Actor, o: unknown): boolean }).mayActOn(actor, object);
}

/** The rows of a resource this actor may see: undefined for all, null for none. */
export function visibleRowsOf(
  actor: Actor,
  resource: PolicedResource,
  db: Pick<Database, "select">,
): SQL | undefined | null {
  const policy: AccessPolicy<never> = POLICIES[resource];
  return policy.rowsFor ? policy.rowsFor(actor, db) : undefined;
}
