import { msg } from "@/common/message";
import { mayActOnOwned } from "./owned";
import type { AccessPolicy } from "./policy";

/**
 * A token is its user's alone: it belongs to no group, so the "own" rule leaves its user and superAdm
 * (a teacher administers students' machines, not their credentials).
 */
export const apiTokensPolicy: AccessPolicy<{ userId: number }> = {
  mayActOn: (actor, token) => mayActOnOwned(actor, { ownerId: token.userId, groupId: null }),
  refusal: msg("apiTokens.notYours"),
};
