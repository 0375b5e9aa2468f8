import type { Actor } from "./context";
import { forbidden } from "./errors";
import { msg } from "@/common/message";

/** superAdm reaches every group; everyone else only the groups they belong to. */
export function reachesAllGroups(actor: Actor): boolean {
  return actor.role === "superAdm";
}

export function sharesGroup(actor: Actor, groupIds: readonly number[]): boolean {
  if (reachesAllGroups(actor)) return true;
  return groupIds.some((g) => actor.groupIds.includes(g));
}

export function assertSharesGroup(
  actor: Actor,
  groupIds: readonly number[],
  what: "user" | "group" | "instance" | "volume" | "image",
): void {
  if (!sharesGroup(actor, groupIds)) throw forbidden(msg("auth.notAdminOfGroupOf", { what }));
}
