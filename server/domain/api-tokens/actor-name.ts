import type { Actor } from "../context";

/**
 * Who acted, for the audit log: the username, and for a token `username!publicId` (as Proxmox names its
 * tokens `USER@REALM!TOKENID`), so a token's doings can be told from its user's own and traced to it.
 * The column holds 64 characters: a long username gives way to the token's id (actor_id names the user).
 */
export const actorNameOf = (actor: Pick<Actor, "username" | "token">): string =>
  actor.token ? `${actor.username.slice(0, 47)}!${actor.token.publicId}` : actor.username;
