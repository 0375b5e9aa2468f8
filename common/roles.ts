// The five roles, least to most powerful. Order matters: a role may do what any earlier role may.
export const ROLES = ["anonymous", "user", "powerUser", "powerAdm", "superAdm"] as const;
export type Role = (typeof ROLES)[number];
/** Roles an account can hold (anonymous is the absence of an account). */
export const ACCOUNT_ROLES = ["user", "powerUser", "powerAdm", "superAdm"] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}
