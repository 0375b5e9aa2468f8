import { randomBytes } from "node:crypto";

/**
 * The browser's device token: a random id in a long-lived, HTTP-only cookie. A browser whose token
 * signed in to an account before is "known" for it, and the account's sign-in lock (which anyone who
 * knows the name can set off) does not hold it (server/domain/account/login-rate-limit.ts).
 * `__Host-` over HTTPS: the cookie cannot be set by a sibling domain or over plain HTTP.
 */
export const deviceCookieName = (secure: boolean) => (secure ? "__Host-educloud-device" : "educloud-device");

export const newDeviceToken = (): string => randomBytes(24).toString("base64url");

/** The token if it has the shape we issue; anything else is treated as no token. */
export const validDeviceToken = (v: string | null | undefined): string | null =>
  v && /^[A-Za-z0-9_-]{32}$/.test(v) ? v : null;
