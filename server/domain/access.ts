import type { Actor } from "./context";
import { forbidden } from "./errors";

/** superAdm reaches every group; everyone else only the groups they belong to. */
export function reachesAllGroups(actor: Actor): boolean {
  return actor.role === "superAdm";
}

export function sharesGroup(actor: Actor, groupIds: readonly number[]): boolean {
  if (reachesAllGroups(actor)) return true;
  return groupIds.some((g) => actor.groupIds.includes(g));
}

export function assertSharesGroup(actor: Actor, groupIds: readonly number[], what: string): void {
  if (!sharesGroup(actor, groupIds)) throw forbidden(`You do not administer a group of this ${what}.`);
}
