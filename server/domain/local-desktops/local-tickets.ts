// Short proofs the portal hands a local-mode host and checks when the host comes back with them
// (stateless: an HMAC under a key derived from the portal's secret, bound to the host):
//   image ticket — this host may download this image (a signed-in user's own profile), for an hour;
//   user ticket  — this host signed this user in, so usage it reports may name them (a week: a run
//                  reported late, after the portal was unreachable, still counts for its user).
import { createHmac, timingSafeEqual } from "node:crypto";

export const IMAGE_TICKET_SECONDS = 3600;
export const USER_TICKET_SECONDS = 7 * 24 * 3600;

export const localTicketKey = (sessionSecret: string): Buffer =>
  createHmac("sha256", sessionSecret).update("educloud:local-desktop-tickets").digest();

const mac = (key: Buffer, parts: string[], expires: number) =>
  createHmac("sha256", key)
    .update([...parts, String(expires)].join("\n"))
    .digest("base64url");

export function signLocalTicket(key: Buffer, parts: string[], ttlSeconds: number, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + ttlSeconds;
  return `${expires}.${mac(key, parts, expires)}`;
}

export function verifyLocalTicket(
  key: Buffer,
  parts: string[],
  ticket: string | undefined,
  now = Date.now(),
): boolean {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(ticket ?? "");
  if (!m) return false;
  const expires = Number(m[1]);
  if (expires * 1000 < now) return false;
  const want = Buffer.from(mac(key, parts, expires));
  const got = Buffer.from(m[2]!);
  return want.length === got.length && timingSafeEqual(want, got);
}

export const imageTicketParts = (hostId: string, imageId: string) => ["image", hostId, imageId];
export const userTicketParts = (hostId: string, userId: number) => ["user", hostId, String(userId)];
